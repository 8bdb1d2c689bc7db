import KubeWatch

/// A networking.k8s.io/v1 NetworkPolicy: the fields kube-state-metrics' networkpolicy
/// families read (how many rules, not what they say).
public struct NetworkPolicy: KubeResource, Hashable {
    public static let descriptor = ResourceDescriptor(name: "networkpolicies", group: "networking.k8s.io",
                                                      identity: ["namespace", "networkpolicy"])

    public var metadata = ObjectMeta()
    public var ingressRules = 0
    public var egressRules = 0

    public init() {}

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        switch key {
        case "metadata": try reader.read(&metadata, context)
        case "spec":
            try reader.readObject { reader, key in
                switch key {
                case "ingress": ingressRules = try reader.countElements()
                case "egress": egressRules = try reader.countElements()
                default: try reader.skipValue()
                }
            }
        default: try reader.skipValue()
        }
    }
}

extension JSONReader {
    /// The number of elements of an array (0 for `null`), each skipped unread.
    fileprivate mutating func countElements() throws -> Int {
        var count = 0
        try readArray { reader in
            count += 1
            try reader.skipValue()
        }
        return count
    }
}
