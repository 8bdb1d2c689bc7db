import KubeWatch

/// An apps/v1 StatefulSet: the fields kube-state-metrics' statefulset families read.
public struct StatefulSet: SpecAndStatusResource, Hashable {
    public static let descriptor = ResourceDescriptor(name: "statefulsets", group: "apps", identity: ["namespace", "statefulset"])

    public var metadata = ObjectMeta()
    public var spec = Spec()
    public var status = Status()

    public init() {}

    public struct Spec: Sendable, Hashable, JSONObjectDecodable {
        public var replicas: Int64?
        /// `ordinals.start`; nil when `ordinals` is absent (a present object without
        /// `start` starts at 0, as Go decodes it).
        public var ordinalsStart: Int64?
        public var retentionPolicy: RetentionPolicy?

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "replicas": try reader.read(&replicas)
            case "ordinals":
                guard try reader.peek() != .null else { return try reader.skipValue() }
                var start: Int64 = 0
                try reader.readObject { reader, key in
                    if key == "start" { try reader.read(&start) } else { try reader.skipValue() }
                }
                ordinalsStart = start
            case "persistentVolumeClaimRetentionPolicy": try reader.read(&retentionPolicy, context)
            default: try reader.skipValue()
            }
        }
    }

    /// `spec.persistentVolumeClaimRetentionPolicy`.
    public struct RetentionPolicy: Sendable, Hashable, JSONObjectDecodable {
        public var whenDeleted = ""
        public var whenScaled = ""

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "whenDeleted": try reader.read(&whenDeleted)
            case "whenScaled": try reader.read(&whenScaled)
            default: try reader.skipValue()
            }
        }
    }

    public struct Status: Sendable, Hashable, JSONObjectDecodable {
        public var replicas: Int64 = 0
        public var availableReplicas: Int64 = 0
        public var currentReplicas: Int64 = 0
        public var readyReplicas: Int64 = 0
        public var updatedReplicas: Int64 = 0
        public var observedGeneration: Int64 = 0
        public var currentRevision = ""
        public var updateRevision = ""

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "replicas": try reader.read(&replicas)
            case "availableReplicas": try reader.read(&availableReplicas)
            case "currentReplicas": try reader.read(&currentReplicas)
            case "readyReplicas": try reader.read(&readyReplicas)
            case "updatedReplicas": try reader.read(&updatedReplicas)
            case "observedGeneration": try reader.read(&observedGeneration)
            case "currentRevision": try reader.read(&currentRevision)
            case "updateRevision": try reader.read(&updateRevision)
            default: try reader.skipValue()
            }
        }
    }
}
