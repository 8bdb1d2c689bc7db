import KubeWatch

/// An apps/v1 DaemonSet: the fields kube-state-metrics' daemonset families read (all
/// of them in its status).
public struct DaemonSet: KubeResource, Hashable {
    public static let descriptor = ResourceDescriptor(name: "daemonsets", group: "apps", identity: ["namespace", "daemonset"])

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
        public var currentNumberScheduled: Int64 = 0
        public var desiredNumberScheduled: Int64 = 0
        public var numberAvailable: Int64 = 0
        public var numberMisscheduled: Int64 = 0
        public var numberReady: Int64 = 0
        public var numberUnavailable: Int64 = 0
        public var observedGeneration: Int64 = 0
        public var updatedNumberScheduled: Int64 = 0

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "currentNumberScheduled": try reader.read(&currentNumberScheduled)
            case "desiredNumberScheduled": try reader.read(&desiredNumberScheduled)
            case "numberAvailable": try reader.read(&numberAvailable)
            case "numberMisscheduled": try reader.read(&numberMisscheduled)
            case "numberReady": try reader.read(&numberReady)
            case "numberUnavailable": try reader.read(&numberUnavailable)
            case "observedGeneration": try reader.read(&observedGeneration)
            case "updatedNumberScheduled": try reader.read(&updatedNumberScheduled)
            default: try reader.skipValue()
            }
        }
    }
}
