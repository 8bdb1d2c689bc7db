import KubeWatch

/// A v1 Namespace: the fields kube-state-metrics' namespace families read.
public struct Namespace: KubeResource, Hashable {
    public static let descriptor = ResourceDescriptor(name: "namespaces", namespaced: false, identity: ["namespace"])

    public var metadata = ObjectMeta()
    public var phase = ""
    public var conditions: [Condition] = []

    public init() {}

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        switch key {
        case "metadata": try reader.read(&metadata, context)
        case "status":
            try reader.readObject { reader, key in
                switch key {
                case "phase": try reader.read(&phase)
                case "conditions": try reader.read(&conditions, context)
                default: try reader.skipValue()
                }
            }
        default: try reader.skipValue()
        }
    }
}
