import TelemetryModel

/// kube-state-metrics' families from the watched objects, rendered from the stores
/// on every cycle; nothing is kept pre-rendered. Not ready until the first list of
/// every watch is in.
public final class KubeStateCollector: Collector {
    public let name = "kubestate"
    private let pods: PodWatch
    private let podOptions: PodFamilies.Options
    private let filter: FamilyFilter

    public init(pods: PodWatch, podOptions: PodFamilies.Options, filter: FamilyFilter = .everything) {
        self.pods = pods
        self.podOptions = podOptions
        self.filter = filter
    }

    public var isReady: Bool { pods.synced }

    public func collect() -> CollectionResult {
        var renderer = PodFamilies.Renderer(options: podOptions, filter: filter)
        var objects = 0
        for store in pods.stores {
            store.forEachObject { pod in
                objects += 1
                renderer.add(pod)
            }
        }
        // kube-state-metrics writes a resource's headers only once it has objects.
        return CollectionResult(families: objects == 0 ? [] : renderer.families)
    }
}
