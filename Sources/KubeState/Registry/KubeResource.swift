import KubeWatch

/// A kind of object kube-state serves, declared once: where the API serves it, the
/// labels every sample starts with, how its JSON decodes (`JSONObjectDecodable`) and
/// its generator table. Adding a kind is a model file, a families file and one line
/// in `KubeResources.all`.
///
/// Requirements: `descriptor.name` is kube-state-metrics' `--resources` name;
/// `families` lists every family in kube-state-metrics' output order;
/// `identityValues` has one value per `descriptor.identity` name.
public protocol KubeResource: JSONObjectDecodable, Sendable {
    static var descriptor: ResourceDescriptor { get }
    static var families: [Family<Self>] { get }
    var metadata: ObjectMeta { get }
    /// Values of the identity labels; by default the namespace (for two identity
    /// labels) and the name.
    var identityValues: [String] { get }
}

extension KubeResource {
    public var identityValues: [String] {
        Self.descriptor.identity.count == 1 ? [metadata.name] : [metadata.namespace, metadata.name]
    }
}

/// Where and how a kind is read, and what its samples start with.
public struct ResourceDescriptor: Sendable {
    /// kube-state-metrics' name for it (`deployments`), as `kube_state.resources` takes it.
    public let name: String
    public let api: APIResource
    /// Labels every sample starts with (`namespace, deployment`).
    public let identity: [String]
    /// In kube-state-metrics' default `--resources` set.
    public let enabledByDefault: Bool
    /// How much of each object to fetch (secrets and configmaps: never their data).
    public let view: ObjectView
    /// The field selector that limits the kind to one node (`spec.nodeName` for pods).
    public let nodeField: String?
    /// Annotations the families read whatever the allowlist says.
    public let capturedAnnotations: Set<String>

    public init(name: String, group: String = "", version: String = "v1", namespaced: Bool = true, identity: [String],
                enabledByDefault: Bool = true, view: ObjectView = .full, nodeField: String? = nil,
                capturedAnnotations: Set<String> = []) {
        self.name = name
        api = APIResource(group: group, version: version, resource: name, namespaced: namespaced)
        self.identity = identity
        self.enabledByDefault = enabledByDefault
        self.view = view
        self.nodeField = nodeField
        self.capturedAnnotations = capturedAnnotations
    }
}
