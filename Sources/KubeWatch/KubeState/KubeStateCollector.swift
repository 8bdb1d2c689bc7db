import Synchronization
import TelemetryModel

/// kube-state-metrics' families from the watched objects, rendered from the stores
/// when a cycle finds them changed; until then the last rendering is published
/// again. Not ready until the first list of every watch is in.
public final class KubeStateCollector: Collector {
    public let name = "kubestate"
    private let pods: PodWatch
    private let podOptions: PodFamilies.Options
    private let filter: FamilyFilter
    /// The stores' generations the last rendering was made from, and that rendering.
    private let last = Mutex<(generations: [UInt64], families: [MetricFamily])?>(nil)

    public init(pods: PodWatch, podOptions: PodFamilies.Options, filter: FamilyFilter = .everything) {
        self.pods = pods
        self.podOptions = podOptions
        self.filter = filter
    }

    public var isReady: Bool { pods.synced }

    public func collect() -> CollectionResult {
        let generations = pods.stores.map(\.generation)
        if let last = last.withLock({ $0 }), last.generations == generations {
            return CollectionResult(families: last.families)
        }
        var renderer = PodFamilies.Renderer(options: podOptions, filter: filter)
        var objects = 0
        for store in pods.stores {
            store.forEachObject { pod in
                objects += 1
                renderer.add(pod)
            }
        }
        // kube-state-metrics writes a resource's headers only once it has objects.
        let families = objects == 0 ? [] : renderer.families
        // A change during the rendering has a newer generation than the one read before it.
        last.withLock { $0 = (generations, families) }
        return CollectionResult(families: families)
    }
}
