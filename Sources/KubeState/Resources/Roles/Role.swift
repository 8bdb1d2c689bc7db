import KubeWatch

/// An rbac.authorization.k8s.io/v1 Role, of which the families read only the
/// metadata: the API is asked for `PartialObjectMetadata`, so the rules never reach
/// this agent.
public struct Role: KubeResource, Hashable {
    public static let descriptor = ResourceDescriptor(
        name: "roles", group: "rbac.authorization.k8s.io", identity: ["namespace", "role"], enabledByDefault: false, view: .metadata)

    public var metadata = ObjectMeta()

    public init() {}

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        if key == "metadata" { try reader.read(&metadata, context) } else { try reader.skipValue() }
    }
}
