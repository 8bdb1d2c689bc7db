/// A status condition, as most kinds report them (`Ready`, `Available`, `Complete`):
/// the fields kube-state-metrics' condition families read.
public struct Condition: Sendable, Hashable, JSONObjectDecodable {
    public var type = ""
    public var status = ""
    public var reason = ""
    public var lastTransitionTime: Timestamp?

    public init() {}

    public init(type: String, status: String, reason: String = "", lastTransitionTime: Timestamp? = nil) {
        self.type = type
        self.status = status
        self.reason = reason
        self.lastTransitionTime = lastTransitionTime
    }

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        switch key {
        case "type": try reader.read(&type)
        case "status": try reader.read(&status)
        case "reason": try reader.read(&reason)
        case "lastTransitionTime": try reader.read(&lastTransitionTime)
        default: try reader.skipValue()
        }
    }
}
