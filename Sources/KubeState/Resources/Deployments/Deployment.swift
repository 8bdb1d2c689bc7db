import KubeWatch

/// An apps/v1 Deployment: the fields kube-state-metrics' deployment families read.
public struct Deployment: SpecAndStatusResource, Hashable {
    public static let descriptor = ResourceDescriptor(name: "deployments", group: "apps", identity: ["namespace", "deployment"])

    public var metadata = ObjectMeta()
    public var spec = Spec()
    public var status = Status()

    public init() {}

    public struct Spec: Sendable, Hashable, JSONObjectDecodable {
        public var replicas: Int64?
        public var paused = false
        public var rollingUpdate: RollingUpdate?

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "replicas": try reader.read(&replicas)
            case "paused": try reader.read(&paused)
            case "strategy":
                try reader.readObject { reader, key in
                    if key == "rollingUpdate" { try reader.read(&rollingUpdate, context) } else { try reader.skipValue() }
                }
            default: try reader.skipValue()
            }
        }
    }

    public struct Status: Sendable, Hashable, JSONObjectDecodable {
        public var replicas: Int64 = 0
        public var readyReplicas: Int64 = 0
        public var availableReplicas: Int64 = 0
        public var unavailableReplicas: Int64 = 0
        public var updatedReplicas: Int64 = 0
        public var terminatingReplicas: Int64?
        public var observedGeneration: Int64 = 0
        public var conditions: [Condition] = []

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "replicas": try reader.read(&replicas)
            case "readyReplicas": try reader.read(&readyReplicas)
            case "availableReplicas": try reader.read(&availableReplicas)
            case "unavailableReplicas": try reader.read(&unavailableReplicas)
            case "updatedReplicas": try reader.read(&updatedReplicas)
            case "terminatingReplicas": try reader.read(&terminatingReplicas)
            case "observedGeneration": try reader.read(&observedGeneration)
            case "conditions": try reader.read(&conditions, context)
            default: try reader.skipValue()
            }
        }
    }
}

/// `strategy.rollingUpdate` of deployments and daemonsets.
public struct RollingUpdate: Sendable, Hashable, JSONObjectDecodable {
    public var maxUnavailable: IntOrString?
    public var maxSurge: IntOrString?

    public init() {}

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        switch key {
        case "maxUnavailable": try reader.read(&maxUnavailable)
        case "maxSurge": try reader.read(&maxSurge)
        default: try reader.skipValue()
        }
    }
}
