import HTTP2Transport
import KubeWatch
import Logging
import Synchronization

/// Follows one StatefulSet's `spec.replicas` (`total_shards: auto`): a reflector on
/// `statefulsets` limited by field selector to the one name, reporting every change of
/// the count. As kube-state-metrics does, a StatefulSet without `spec.replicas` counts
/// as one replica, and its deletion changes nothing (the pods go with it).
final class StatefulSetReplicasWatch: Sendable {
    let namespace: String
    let name: String
    private let reflector: Reflector

    init(client: HTTP2Client, token: BearerToken, namespace: String, name: String, userAgent: String, logger: Logger,
         onChange: @escaping @Sendable (Int) -> Void) {
        self.namespace = namespace
        self.name = name
        var configuration = Reflector.Configuration(request: ListWatchRequest(
            resource: StatefulSet.descriptor.api, mode: .list(limit: 1, continueToken: nil), namespace: namespace,
            fieldSelector: "metadata.name=\(name)"))
        configuration.userAgent = userAgent
        var scoped = logger
        scoped[metadataKey: "statefulset"] = "\(namespace)/\(name)"
        reflector = Reflector(client: client, token: token, configuration: configuration,
                              sink: Sink(logger: scoped, onChange: onChange), logger: scoped)
    }

    var statistics: Reflector.Statistics { reflector.statistics }

    func run() async {
        await reflector.run()
    }

    private final class Sink: ReflectorSink {
        private let logger: Logger
        private let onChange: @Sendable (Int) -> Void
        /// The last count reported, and whether the last list found the StatefulSet.
        private let state = Mutex<(replicas: Int?, found: Bool, warned: Bool)>((nil, false, false))

        init(logger: Logger, onChange: @escaping @Sendable (Int) -> Void) {
            self.logger = logger
            self.onChange = onChange
        }

        func apply(_ event: WatchEvent, object: UnsafeBufferPointer<UInt8>) throws -> ObjectVersion {
            let statefulSet = try StatefulSet(json: object, context: DecodingContext())
            let version = ObjectVersion(uid: statefulSet.metadata.uid, resourceVersion: statefulSet.metadata.resourceVersion)
            guard event != .deleted else { return version }
            // Int64 from the API; a count past Int32 is nonsense and clamps rather than traps.
            let replicas = Int(clamping: max(statefulSet.spec.replicas ?? 1, 0))
            let changed = state.withLock { state in
                state.found = true
                defer { state.replicas = replicas }
                return state.replicas != replicas
            }
            if changed {
                logger.info("shard count follows the StatefulSet", metadata: ["replicas": "\(replicas)"])
                onChange(replicas)
            }
            return version
        }

        func remove(uid: String) {}

        func beginRelist() {
            state.withLock { $0.found = false }
        }

        func endRelist() -> Int {
            let warn = state.withLock { state in
                defer { state.warned = state.warned || !state.found }
                return !state.found && !state.warned
            }
            if warn {
                logger.warning("total_shards is auto but the StatefulSet does not exist; kube-state serves nothing until it does")
            }
            return 0
        }
    }
}
