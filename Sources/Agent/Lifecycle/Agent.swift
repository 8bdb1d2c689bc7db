import AppMetrics
import CgroupReader
import EventLogs
import HTTP2Transport
import KubeState
import KubeWatch
import Logging
import OTLPWire
import ServiceLifecycle
import TelemetryModel

/// The running agent: the collectors the configuration enables, the snapshot store
/// they publish to, the endpoints that serve it and the OTLP push that sends it.
struct Agent {
    let config: AgentConfig
    let nodeName: String
    let logger: Logger
    let store = SnapshotStore()
    let selfMetrics: SelfMetrics
    let loops: [CollectionLoop]
    let push: MetricsPushLoop?
    let kubernetes: KubernetesAccess?
    /// Kubernetes events as OTLP logs (`logs_streaming`).
    let events: EventStreamService?
    /// Scraped applications' metrics, pushed with the rest (`app_metrics`).
    let apps: AppMetricsService?

    /// Fails when the OTLP exporter cannot be set up (unreadable TLS material).
    /// `standalone`: no leader election (`--once` collects everything itself).
    init(config: AgentConfig, nodeName: String, environment: [String: String], logger: Logger, kubeconfigFlag: String? = nil,
         standalone: Bool = false) throws {
        self.config = config
        self.nodeName = nodeName
        self.logger = logger
        let start = WallClock.nowUnixNano()
        selfMetrics = SelfMetrics(version: BuildInfo.version, startUnixNano: start)

        var loops: [CollectionLoop] = []
        let metrics = config.kubeMetrics
        let kubernetes = try KubernetesAccess.make(config: config, kubeconfigFlag: kubeconfigFlag, nodeName: nodeName,
                                                   environment: environment, standalone: standalone, logger: logger)
        self.kubernetes = kubernetes
        if let kubernetes { selfMetrics.attach(kubernetes.source) }
        if let elector = kubernetes?.leadership { selfMetrics.attach(elector) }
        let node = metrics.node
        if metrics.enabled && node.enabled {
            let collector = NodeCollector(paths: NodePaths(procRoot: node.procRoot, sysRoot: node.sysRoot, rootfs: node.rootfs))
            loops.append(CollectionLoop(collector: collector, interval: node.collectInterval,
                                        store: store, selfMetrics: selfMetrics, logger: logger))
        }
        let cadvisor = metrics.cadvisor
        if metrics.enabled && cadvisor.enabled {
            var configuration = CAdvisorCollector.Configuration(cgroupRoot: cadvisor.cgroupRoot, procRoot: cadvisor.procRoot,
                                                                sysRoot: node.sysRoot, rootfs: node.rootfs)
            configuration.diskIO = cadvisor.diskIOEnabled
            configuration.network = cadvisor.networkEnabled
            configuration.filesKeptOpen = cadvisor.filesKeptOpen
            let collector = CAdvisorCollector(configuration: configuration)
            if let index = kubernetes?.podIndex { collector.connect(index) }
            loops.append(CollectionLoop(collector: collector, interval: cadvisor.collectInterval,
                                        store: store, selfMetrics: selfMetrics, logger: logger))
        }
        // The agent's own footprint, refreshed as often as the node families.
        loops.append(CollectionLoop(collector: ProcessCollector(startUnixNano: start), interval: node.collectInterval,
                                    store: store, selfMetrics: selfMetrics, logger: logger))
        self.loops = loops

        let streaming = metrics.streaming
        let resource = TelemetryResource.make(config: config, nodeName: nodeName,
                                              instanceID: environment["POD_NAME"].flatMap { $0.isEmpty ? nil : $0 } ?? nodeName,
                                              environment: environment)
        // The configuration check guarantees streaming when app_metrics is enabled, and
        // targets come from the pod watch.
        if metrics.enabled && streaming.enabled, let targets = kubernetes?.appTargets {
            let service = try AppMetricsService(targets: targets, config: metrics.appMetrics, userAgent: "telegen/\(BuildInfo.version)",
                                                logger: logger)
            selfMetrics.attach(service)
            apps = service
        } else {
            if metrics.enabled && metrics.appMetrics.enabled {
                logger.warning("app_metrics is enabled but no Kubernetes API or no streaming endpoint is configured; applications are not scraped")
            }
            apps = nil
        }
        // The configuration check guarantees an endpoint when streaming is enabled.
        if metrics.enabled && streaming.enabled, let exporter = try ExporterSetup.makeExporter(.metrics, config: metrics, logger: logger) {
            selfMetrics.attach(exporter)
            let signal = metrics.signalMetadata
            var fields = SignalMetadataFields()
            fields.category = signal.enableCategory
            fields.subcategory = signal.enableSubcategory
            fields.sourceModule = signal.enableSourceModule
            fields.collectorType = signal.enableCollectorType
            fields.description = signal.enableDescription
            let encoding = MetricsPushLoop.Encoding(
                resource: resource, temporality: streaming.temporality == .delta ? .delta : .cumulative,
                signalMetadata: signal.enabled ? (.telegen, fields) : nil, defaultStartTimeUnixNano: start)
            push = MetricsPushLoop(store: store, selfMetrics: selfMetrics, exporter: exporter,
                                   kubeState: kubernetes?.servesKubeState == true ? kubernetes?.source : nil, apps: apps, encoding: encoding,
                                   interval: streaming.interval, flushTimeout: streaming.timeout, logger: logger)
        } else {
            push = nil
        }

        let logs = metrics.logsStreaming
        if metrics.enabled && logs.enabled, let kubernetes, let exporter = try ExporterSetup.makeExporter(.logs, config: metrics, logger: logger) {
            selfMetrics.attach(exporter)
            let shipper = EventLogShipper(exporter: exporter, encoder: OTLPLogsEncoder(
                resource: resource, scope: OTLPScope(name: "telegen.events", version: BuildInfo.version)))
            let forwarder = EventForwarder(client: kubernetes.client, token: kubernetes.token,
                                           configuration: Self.eventConfiguration(logs, shutdownGrace: streaming.timeout),
                                           shipper: shipper, logger: logger)
            selfMetrics.attach(forwarder)
            events = EventStreamService(forwarder: forwarder, shipper: shipper, leadership: kubernetes.leadership)
        } else {
            if metrics.enabled && logs.enabled {
                logger.warning("logs_streaming is enabled but no Kubernetes API or no endpoint is configured; events are not streamed")
            }
            events = nil
        }
    }

    static func eventConfiguration(_ logs: LogsStreamingConfig, shutdownGrace: Duration) -> EventForwarder.Configuration {
        var configuration = EventForwarder.Configuration()
        configuration.namespaces = logs.namespaces
        configuration.filter = EventFilter(excludedNamespaces: Set(logs.namespacesExclude), types: Set(logs.types),
                                           involvedKinds: Set(logs.involvedKinds), excludedReasons: Set(logs.reasonsExclude))
        configuration.mapping = EventRecordMapping(maximumMessageBytes: logs.maxMessageBytes)
        configuration.rateLimit = logs.rateLimit
        configuration.checkpointPath = logs.checkpointFile.isEmpty ? nil : logs.checkpointFile
        configuration.shutdownGrace = shutdownGrace
        configuration.userAgent = "telegen/\(BuildInfo.version)"
        return configuration
    }

    var endpoints: MetricsEndpoints {
        MetricsEndpoints(store: store, selfMetrics: selfMetrics,
                         separateEndpoints: config.kubeMetrics.separateEndpoints,
                         enabledCollectors: loops.map(\.collector.name).filter { $0 != "process" },
                         kubeState: kubernetes?.servesKubeState == true ? kubernetes?.source : nil)
    }

    /// Runs until SIGTERM or SIGINT, then shuts every service down; the push flushes
    /// what is queued, within `streaming.timeout`.
    func run() async throws {
        let server = MetricsHTTPServer(address: config.kubeMetrics.listenAddress, endpoints: endpoints, logger: logger,
                                       limits: config.kubeMetrics.server)
        var services: [any Service] = loops.map { $0 as any Service } + [server, HeapTrimmer(), StartupPageRelease(logger: logger)]
        if let push { services.append(push) }
        // Shut down in reverse order: the event stream, then the watches, then the
        // election, so the Lease is released right after the event stream's final
        // checkpoint (which the release carries), before the rest stops.
        if let elector = kubernetes?.leadership { services.append(LeaderElectionService(elector: elector)) }
        if let kubernetes { services.append(KubernetesWatchService(source: kubernetes.source)) }
        if let events { services.append(events) }
        // Stops first: no scrape is left running when the push makes its last flush.
        if let apps { services.append(apps) }
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }

    /// Collects everything once, pushes it when streaming is on, and returns the
    /// exposition text with whether every collector and the push succeeded.
    func collectOnce() async -> (text: [UInt8], succeeded: Bool) {
        var succeeded = true
        // The Kubernetes families need the first lists: wait for them, within a bound.
        var watch: Task<Void, Never>?
        if let kubernetes {
            let source = kubernetes.source
            watch = Task { await source.run() }
            let deadline = ContinuousClock.now.advanced(by: .seconds(30))
            while !source.pending.isEmpty && ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(20))
            }
            if !source.pending.isEmpty {
                logger.error("the first list did not complete within 30 s", metadata: ["resources": "\(source.pending.joined(separator: ","))"])
                succeeded = false
            }
            if !source.failing.isEmpty {
                logger.error("listing failed", metadata: ["resources": "\(source.failing.joined(separator: ","))"])
                succeeded = false
            }
        }
        defer {
            watch?.cancel()
            kubernetes?.client.shutdown()
        }
        for loop in loops {
            let result = await loop.runOnce()
            if !result.failures.isEmpty { succeeded = false }
        }
        if let push {
            var state = MetricsPushLoop.PushState()
            await push.push(&state)
            let sender = Task { await push.exporter.run() }
            let delivered = await push.exporter.flush(timeout: push.flushTimeout)
            sender.cancel()
            await sender.value
            await push.exporter.close()
            let statistics = push.exporter.statistics[.metrics]
            if !delivered || statistics.failedItems > 0 || !statistics.droppedItems.isEmpty {
                logger.error("push failed", metadata: ["sent": "\(statistics.sentItems)", "failed": "\(statistics.failedItems)"])
                succeeded = false
            }
        }
        let response = endpoints.respond(path: "/metrics", accept: nil)
        return (response.body, succeeded)
    }
}
