import Synchronization

/// The scrape targets of this node's pods, kept current as the pod watch reports each
/// pod (added, changed, deleted). Whoever runs the scrapes reads `targets` whenever
/// `changes` yields, so targets come and go without a restart.
public final class TargetSet: Sendable {
    private struct State {
        var byPod: [String: PodDiscovery] = [:]
    }

    public let rules: DiscoveryRules
    private let state = Mutex(State())
    private let continuation: AsyncStream<Void>.Continuation
    /// Yields after every change of the target list (coalesced: one element stands for
    /// any number of changes). For one consumer.
    public let changes: AsyncStream<Void>

    public init(rules: DiscoveryRules) {
        self.rules = rules
        (changes, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// A pod was added or changed.
    public func upsert(_ pod: DiscoveredPod) {
        let discovery = rules.evaluate(pod)
        let changed = state.withLock { state in
            let previous = discovery == .ignored ? state.byPod.removeValue(forKey: pod.uid) : state.byPod.updateValue(discovery, forKey: pod.uid)
            return previous != discovery && !(previous == nil && discovery == .ignored)
        }
        if changed { continuation.yield() }
    }

    /// A pod was deleted.
    public func remove(uid: String) {
        let changed = state.withLock { $0.byPod.removeValue(forKey: uid) != nil }
        if changed { continuation.yield() }
    }

    /// Every current target, in a stable order (namespace, pod, port, path).
    public var targets: [ScrapeTarget] {
        let all = state.withLock { state in
            state.byPod.values.flatMap { discovery -> [ScrapeTarget] in
                if case .targets(let targets) = discovery { return targets }
                return []
            }
        }
        return all.sorted { ($0.namespace, $0.podName, $0.port, $0.path) < ($1.namespace, $1.podName, $1.port, $1.path) }
    }

    /// Pods that asked to be scraped and could not be, by reason.
    public var skipped: [String: Int] {
        state.withLock { state in
            var counts: [String: Int] = [:]
            for case .skipped(let reason) in state.byPod.values { counts[reason, default: 0] += 1 }
            return counts
        }
    }

    /// Ends `changes` (the consumer's loop then ends).
    public func finish() {
        continuation.finish()
    }
}
