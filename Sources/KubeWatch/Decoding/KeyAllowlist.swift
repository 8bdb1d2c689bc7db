/// Which label or annotation keys of an object to keep (kube-state-metrics'
/// `--metric-labels-allowlist` / `--metric-annotations-allowlist` for one resource).
/// Keys not kept are dropped while decoding, so they cost no memory.
public enum KeyAllowlist: Sendable, Equatable {
    case none
    case all
    case keys(Set<String>)

    func contains(_ key: String) -> Bool {
        switch self {
        case .none: false
        case .all: true
        case .keys(let keys): keys.contains(key)
        }
    }

    var isNone: Bool { self == .none }
}

/// What the pod decoder keeps beyond the fixed fields.
public struct PodDecodingOptions: Sendable, Equatable {
    public var labels: KeyAllowlist = .none
    public var annotations: KeyAllowlist = .none
    /// `kube_pod_nodeselectors` is opt-in; without it the selector is not kept.
    public var nodeSelectors = false

    public init(labels: KeyAllowlist = .none, annotations: KeyAllowlist = .none, nodeSelectors: Bool = false) {
        self.labels = labels
        self.annotations = annotations
        self.nodeSelectors = nodeSelectors
    }
}
