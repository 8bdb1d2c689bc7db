import CgroupReader
import Logging
import TelemetryModel
import ServiceLifecycle

/// The running agent: the collectors the configuration enables, the snapshot store
/// they publish to, and the endpoints that serve it.
struct Agent {
    let config: AgentConfig
    let nodeName: String
    let logger: Logger
    let store = SnapshotStore()
    let selfMetrics: SelfMetrics
    let loops: [CollectionLoop]

    init(config: AgentConfig, nodeName: String, logger: Logger) {
        self.config = config
        self.nodeName = nodeName
        self.logger = logger
        let start = WallClock.nowUnixNano()
        selfMetrics = SelfMetrics(version: BuildInfo.version, startUnixNano: start)

        var loops: [CollectionLoop] = []
        let metrics = config.kubeMetrics
        let node = metrics.node
        if metrics.enabled && node.enabled {
            let collector = NodeCollector(paths: NodePaths(procRoot: node.procRoot, sysRoot: node.sysRoot, rootfs: node.rootfs))
            loops.append(CollectionLoop(collector: collector, interval: node.collectInterval,
                                        store: store, selfMetrics: selfMetrics, logger: logger))
        }
        // The agent's own footprint, refreshed as often as the node families.
        loops.append(CollectionLoop(collector: ProcessCollector(startUnixNano: start), interval: node.collectInterval,
                                    store: store, selfMetrics: selfMetrics, logger: logger))
        self.loops = loops
    }

    var endpoints: MetricsEndpoints {
        MetricsEndpoints(store: store, selfMetrics: selfMetrics,
                         separateEndpoints: config.kubeMetrics.separateEndpoints,
                         enabledCollectors: loops.map(\.collector.name).filter { $0 != "process" })
    }

    /// Runs until SIGTERM or SIGINT, then shuts every service down.
    func run() async throws {
        let server = MetricsHTTPServer(address: config.kubeMetrics.listenAddress, endpoints: endpoints, logger: logger)
        let group = ServiceGroup(
            services: loops.map { $0 as any Service } + [server],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        try await group.run()
    }

    /// Collects everything once and returns the exposition text, with whether every
    /// collector succeeded.
    func collectOnce() async -> (text: [UInt8], succeeded: Bool) {
        var succeeded = true
        for loop in loops {
            let result = await loop.runOnce()
            if !result.failures.isEmpty { succeeded = false }
        }
        let response = endpoints.respond(path: "/metrics", accept: nil)
        return (response.body, succeeded)
    }
}
