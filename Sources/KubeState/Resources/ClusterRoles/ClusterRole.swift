import KubeWatch

/// An rbac.authorization.k8s.io/v1 ClusterRole, of which the families read only the
/// metadata: the API is asked for `PartialObjectMetadata`, so the rules (hundreds
/// for the built-in and aggregated roles) never reach this agent.
public struct ClusterRole: KubeResource, Hashable {
    public static let descriptor = ResourceDescriptor(
        name: "clusterroles", group: "rbac.authorization.k8s.io", namespaced: false, identity: ["clusterrole"],
        enabledByDefault: false, view: .metadata)

    public var metadata = ObjectMeta()

    public init() {}

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        if key == "metadata" { try reader.read(&metadata, context) } else { try reader.skipValue() }
    }
}
