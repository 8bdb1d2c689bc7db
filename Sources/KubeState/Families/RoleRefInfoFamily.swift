import KubeWatch

/// A binding's `roleRef`: the role it grants. kube-state-metrics reads its kind and
/// name only, never the subjects.
public struct RoleRef: Sendable, Hashable, JSONObjectDecodable {
    public var kind = ""
    public var name = ""

    public init() {}

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        switch key {
        case "kind": try reader.read(&kind)
        case "name": try reader.read(&name)
        default: try reader.skipValue()
        }
    }
}

/// RoleBinding and ClusterRoleBinding, whose info families are the same rule.
public protocol RoleBindingResource: KubeResource {
    var roleRef: RoleRef { get }
}

extension Family where Object: RoleBindingResource {
    /// `*_info` of a binding: one sample naming the bound role.
    public static func roleRefInfo(_ name: String, _ help: String) -> Family {
        .info(name, help, labels: ["roleref_kind", "roleref_name"]) { [$0.roleRef.kind, $0.roleRef.name] }
    }
}
