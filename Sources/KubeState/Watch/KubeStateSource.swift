import HTTP2Transport
import KubeWatch
import Logging
import Synchronization
import TelemetryModel

/// kube-state as the agent runs it: a watch for every enabled kind over one HTTP/2
/// connection, rendered on demand in kube-state-metrics' order (kinds by name, each
/// kind's families in table order) straight from the stored records into whatever
/// output is being produced.
///
/// Sharded (`configuration.sharding`), every kind keeps only this replica's objects;
/// when the shard count changes, what another shard now serves is dropped at once and
/// every kind is listed again (one list round trip) for what this one now serves.
///
/// With leader election (`leadership`), the kinds not limited to this node run only
/// while this replica holds the Lease: they are listed when it starts leading, and
/// when it stops their watches end and their objects are forgotten at once, so a
/// former holder serves none of them. Followers keep no cluster-wide watch open.
public final class KubeStateSource: Sendable {
    /// Every kind, in rendering order.
    let watches: [any ResourceWatching]
    /// The kinds that run whatever the leadership (all of them without leader election).
    private let alwaysOn: [any ResourceWatching]
    /// The kinds that run only while leading.
    private let leaderOnly: [any ResourceWatching]
    private let leadership: LeaderElector?
    /// This replica's share of the objects, when sharded.
    public let shards: ShardFilter?
    /// The StatefulSet whose replicas are the shard count (`total_shards: auto`).
    private let replicas: StatefulSetReplicasWatch?
    /// One element per shard count to run the watches with (the first starts them).
    private let repartitions: AsyncStream<Void>

    /// Builds the watches `configuration.resources` names. `pods` may carry an
    /// observer (the container collector's names): it sees every pod the watch
    /// reads, so only this shard's when sharded. Without kube-state pods, the pods are
    /// watched for the observer alone and not served.
    public init(client: HTTP2Client, token: BearerToken, configuration: KubeStateConfiguration,
                podObserver: (any ObjectObserver<Pod>)? = nil, leadership: LeaderElector? = nil, logger: Logger) {
        self.leadership = leadership
        let (repartitions, repartition) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.repartitions = repartitions
        var followed: (namespace: String, name: String)?
        if let sharding = configuration.sharding, sharding.isSharded {
            switch sharding.total {
            case .fixed(let count):
                shards = ShardFilter(shard: sharding.shard, total: count)
            case .statefulSet(let namespace, let name):
                shards = ShardFilter(shard: sharding.shard, total: 0)
                followed = (namespace, name)
            }
        } else {
            shards = nil
        }
        var watches: [any ResourceWatching] = []
        var leaderOnly: [String] = []
        for resource in KubeResources.all {
            let name = resource.descriptor.name
            let serves = configuration.resources.contains(name)
            let observer = name == Pod.descriptor.name ? podObserver : nil
            guard serves || observer != nil else { continue }
            watches.append(resource.makeWatch(client: client, token: token, configuration: configuration, serves: serves,
                                              podObserver: observer, shards: shards, logger: logger))
            let nodeLocal = resource.descriptor.nodeField != nil && !(configuration.nodeName ?? "").isEmpty
            if leadership != nil && !nodeLocal { leaderOnly.append(name) }
        }
        let sorted = watches.sorted { $0.name < $1.name }
        self.watches = sorted
        alwaysOn = sorted.filter { !leaderOnly.contains($0.name) }
        self.leaderOnly = sorted.filter { leaderOnly.contains($0.name) }
        if let followed, let shards {
            replicas = StatefulSetReplicasWatch(client: client, token: token, namespace: followed.namespace, name: followed.name,
                                                userAgent: configuration.userAgent, logger: logger) { count in
                guard shards.update(total: count) else { return }
                for watch in sorted { watch.dropUnowned() }
                repartition.yield()
            }
        } else {
            replicas = nil
            repartition.yield()
        }
    }

    /// Kinds served, by name.
    public var resources: [String] { watches.map(\.name) }

    /// Runs every watch until the task is cancelled. Call once.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            if let replicas { group.addTask { await replicas.run() } }
            group.addTask { await self.runWatches() }
            if let leadership, !leaderOnly.isEmpty { group.addTask { await self.runWhileLeading(leadership) } }
        }
    }

    /// Kinds that run only while leading: started with each term, stopped and forgotten
    /// when it ends.
    public var leaderOnlyResources: [String] { leaderOnly.map(\.name) }

    private func runWhileLeading(_ leadership: LeaderElector) async {
        let watches = leaderOnly
        await leadership.forEachTerm { _, _ in
            for watch in watches { watch.resume() }
            await withTaskCancellationHandler {
                await withTaskGroup(of: Void.self) { group in
                    for watch in watches { group.addTask { await watch.run() } }
                }
            } onCancel: {
                // Nothing more is served from this instant, even while a list page that
                // ignores cancellation is still arriving.
                for watch in watches { watch.suspend() }
            }
            for watch in watches { watch.stop() }
        }
    }

    /// Runs the watches, and again from a fresh list whenever the shard count changes.
    private func runWatches() async {
        let running = Mutex<Task<Void, Never>?>(nil)
        let watches = alwaysOn
        await withTaskCancellationHandler {
            for await _ in repartitions {
                if let previous = running.withLock({ $0.take() }) {
                    previous.cancel()
                    await previous.value
                }
                let next = Task {
                    await withTaskGroup(of: Void.self) { group in
                        for watch in watches { group.addTask { await watch.run() } }
                    }
                }
                running.withLock { $0 = next }
            }
        } onCancel: {
            running.withLock { $0?.cancel() }
        }
        if let last = running.withLock({ $0.take() }) {
            last.cancel()
            await last.value
        }
    }

    /// Kinds whose first list has neither completed nor failed yet. Readiness does not
    /// depend on leadership: the kinds only a leader runs are not waited for.
    public var pending: [String] {
        alwaysOn.filter { !$0.hasSettled }.map(\.name)
    }

    /// Kinds whose last list or watch failed (forbidden, unreachable, ...).
    public var failing: [String] {
        watches.filter { $0.statistics.contains(where: \.failing) }.map(\.name)
    }

    /// Every family of every synced kind, rendered in pieces.
    public func makeStream() -> any FamilyStream {
        ConcatenatedStream(watches.map { $0.makeStream() })
    }

    /// Per kind: what its reflectors did and the objects held.
    public var statistics: [(resource: String, reflectors: [Reflector.Statistics], objects: Int)] {
        watches.map { ($0.name, $0.statistics, $0.objectCount) }
    }
}
