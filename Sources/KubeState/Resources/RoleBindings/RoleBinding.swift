import KubeWatch

/// An rbac.authorization.k8s.io/v1 RoleBinding: its metadata and the role it grants.
public struct RoleBinding: RoleBindingResource, Hashable {
    public static let descriptor = ResourceDescriptor(
        name: "rolebindings", group: "rbac.authorization.k8s.io", identity: ["namespace", "rolebinding"], enabledByDefault: false)

    public var metadata = ObjectMeta()
    public var roleRef = RoleRef()

    public init() {}

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        switch key {
        case "metadata": try reader.read(&metadata, context)
        case "roleRef": try reader.read(&roleRef, context)
        default: try reader.skipValue()
        }
    }
}
