/// What the agent's configuration asks of kube-state (`kube_metrics.kube_state`),
/// already checked against the registry.
public struct KubeStateConfiguration: Sendable {
    /// Kinds whose families are served, by `--resources` name.
    public var resources: [String]
    /// Watch only these namespaces (one watch each); empty means all.
    public var namespaces: [String] = []
    /// Leave these out, by field selector.
    public var excludedNamespaces: [String] = []
    /// Per kind: `metric_labels_allowlist` / `metric_annotations_allowlist` entries.
    public var labelsAllowlist: [String: [String]] = [:]
    public var annotationsAllowlist: [String: [String]] = [:]
    public var optIn: [String] = []
    /// Pod annotations and labels an observer of the pods needs (application metrics'
    /// discovery), decoded whatever the allowlists say and never rendered.
    public var observedPodAnnotations: Set<String> = []
    public var observedPodLabels: Set<String> = []
    public var filter: FamilyFilter = .everything
    /// Kinds that can be limited to one node (pods) are, to this one.
    public var nodeName: String?
    /// Serve only this replica's share of every kind's objects (nil: all of them).
    public var sharding: ShardConfiguration?
    public var pageSize = 500
    public var minimumWatchTimeout: Duration = .seconds(300)
    public var userAgent = "telegen"

    public init(resources: [String]) {
        self.resources = resources
    }

    func options(for resource: String) -> ResourceOptions {
        // kube-state-metrics' `*=[...]` form applies to every kind without its own entry.
        ResourceOptions(labelsAllowlist: labelsAllowlist[resource] ?? labelsAllowlist["*"] ?? [],
                        annotationsAllowlist: annotationsAllowlist[resource] ?? annotationsAllowlist["*"] ?? [],
                        optIn: optIn, filter: filter,
                        capturedAnnotations: resource == "pods" ? observedPodAnnotations : [],
                        capturedLabels: resource == "pods" ? observedPodLabels : [])
    }
}
