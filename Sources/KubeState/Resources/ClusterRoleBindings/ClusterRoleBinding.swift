import KubeWatch

/// An rbac.authorization.k8s.io/v1 ClusterRoleBinding: its metadata and the role it grants.
public struct ClusterRoleBinding: RoleBindingResource, Hashable {
    public static let descriptor = ResourceDescriptor(
        name: "clusterrolebindings", group: "rbac.authorization.k8s.io", namespaced: false, identity: ["clusterrolebinding"],
        enabledByDefault: false)

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
