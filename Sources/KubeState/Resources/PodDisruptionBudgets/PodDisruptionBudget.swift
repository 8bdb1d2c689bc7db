import KubeWatch

/// A policy/v1 PodDisruptionBudget: the fields kube-state-metrics' families read (its
/// status; nothing of its spec).
public struct PodDisruptionBudget: KubeResource, Hashable {
    public static let descriptor = ResourceDescriptor(name: "poddisruptionbudgets", group: "policy",
                                                      identity: ["namespace", "poddisruptionbudget"])

    public var metadata = ObjectMeta()
    public var status = Status()

    public init() {}

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        switch key {
        case "metadata": try reader.read(&metadata, context)
        case "status": try reader.read(&status, context)
        default: try reader.skipValue()
        }
    }

    public struct Status: Sendable, Hashable, JSONObjectDecodable {
        public var currentHealthy: Int64 = 0
        public var desiredHealthy: Int64 = 0
        public var disruptionsAllowed: Int64 = 0
        public var expectedPods: Int64 = 0
        public var observedGeneration: Int64 = 0

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "currentHealthy": try reader.read(&currentHealthy)
            case "desiredHealthy": try reader.read(&desiredHealthy)
            case "disruptionsAllowed": try reader.read(&disruptionsAllowed)
            case "expectedPods": try reader.read(&expectedPods)
            case "observedGeneration": try reader.read(&observedGeneration)
            default: try reader.skipValue()
            }
        }
    }
}
