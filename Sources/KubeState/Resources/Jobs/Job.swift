import KubeWatch

/// A batch/v1 Job: the fields kube-state-metrics' job families read.
public struct Job: SpecAndStatusResource, Hashable {
    public static let descriptor = ResourceDescriptor(name: "jobs", group: "batch", identity: ["namespace", "job_name"])

    public var metadata = ObjectMeta()
    public var spec = Spec()
    public var status = Status()

    public init() {}

    public struct Spec: Sendable, Hashable, JSONObjectDecodable {
        public var parallelism: Int64?
        public var completions: Int64?
        public var activeDeadlineSeconds: Int64?

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "parallelism": try reader.read(&parallelism)
            case "completions": try reader.read(&completions)
            case "activeDeadlineSeconds": try reader.read(&activeDeadlineSeconds)
            default: try reader.skipValue()
            }
        }
    }

    public struct Status: Sendable, Hashable, JSONObjectDecodable {
        public var succeeded: Int64 = 0
        public var failed: Int64 = 0
        public var active: Int64 = 0
        public var ready: Int64?
        public var startTime: Timestamp?
        public var completionTime: Timestamp?
        public var conditions: [Condition] = []

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "succeeded": try reader.read(&succeeded)
            case "failed": try reader.read(&failed)
            case "active": try reader.read(&active)
            case "ready": try reader.read(&ready)
            case "startTime": try reader.read(&startTime)
            case "completionTime": try reader.read(&completionTime)
            case "conditions": try reader.read(&conditions, context)
            default: try reader.skipValue()
            }
        }
    }
}
