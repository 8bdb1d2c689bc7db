import KubeWatch

/// A v1 ReplicationController: the fields kube-state-metrics' replicationcontroller
/// families read.
public struct ReplicationController: SpecAndStatusResource, Hashable {
    public static let descriptor = ResourceDescriptor(name: "replicationcontrollers", identity: ["namespace", "replicationcontroller"])

    public var metadata = ObjectMeta()
    public var spec = Spec()
    public var status = Status()

    public init() {}

    public struct Spec: Sendable, Hashable, JSONObjectDecodable {
        public var replicas: Int64?

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "replicas": try reader.read(&replicas)
            default: try reader.skipValue()
            }
        }
    }

    public struct Status: Sendable, Hashable, JSONObjectDecodable {
        public var replicas: Int64 = 0
        public var fullyLabeledReplicas: Int64 = 0
        public var readyReplicas: Int64 = 0
        public var availableReplicas: Int64 = 0
        public var observedGeneration: Int64 = 0

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "replicas": try reader.read(&replicas)
            case "fullyLabeledReplicas": try reader.read(&fullyLabeledReplicas)
            case "readyReplicas": try reader.read(&readyReplicas)
            case "availableReplicas": try reader.read(&availableReplicas)
            case "observedGeneration": try reader.read(&observedGeneration)
            default: try reader.skipValue()
            }
        }
    }
}
