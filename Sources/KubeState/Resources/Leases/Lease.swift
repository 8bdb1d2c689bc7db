import KubeWatch

/// A coordination.k8s.io/v1 Lease: the fields kube-state-metrics' lease families read.
/// Namespaced, but only `lease` is an identity label: the families write `namespace`
/// among their own labels.
public struct Lease: KubeResource, Hashable {
    public static let descriptor = ResourceDescriptor(name: "leases", group: "coordination.k8s.io", identity: ["lease"])

    public var metadata = ObjectMeta()
    public var holderIdentity: String?
    /// A `MicroTime`; kube-state-metrics reports whole seconds.
    public var renewTime: Timestamp?

    public init() {}

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        switch key {
        case "metadata": try reader.read(&metadata, context)
        case "spec":
            try reader.readObject { reader, key in
                switch key {
                case "holderIdentity": try reader.read(&holderIdentity)
                case "renewTime": try reader.read(&renewTime)
                default: try reader.skipValue()
                }
            }
        default: try reader.skipValue()
        }
    }
}
