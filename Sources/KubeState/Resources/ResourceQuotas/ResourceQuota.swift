import KubeWatch

/// A v1 ResourceQuota: the fields kube-state-metrics' resourcequota families read (its
/// status; the spec's `hard` is not).
public struct ResourceQuota: KubeResource, Hashable {
    public static let descriptor = ResourceDescriptor(name: "resourcequotas", identity: ["namespace", "resourcequota"])

    public var metadata = ObjectMeta()
    public var hard: [ResourceQuantity] = []
    public var used: [ResourceQuantity] = []

    public init() {}

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        switch key {
        case "metadata": try reader.read(&metadata, context)
        case "status":
            try reader.readObject { reader, key in
                switch key {
                case "hard": try reader.read(&hard)
                case "used": try reader.read(&used)
                default: try reader.skipValue()
                }
            }
        default: try reader.skipValue()
        }
    }
}
