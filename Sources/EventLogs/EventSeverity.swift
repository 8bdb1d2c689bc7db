/// The OTLP severity of a Kubernetes event, from its `type`: Normal is INFO (9),
/// Warning is WARN (13), the lowest number of each range as the logs data model asks.
/// Any other type keeps its text with an unspecified number, for backends to judge.
public struct EventSeverity: Sendable, Equatable {
    /// OTLP `SeverityNumber`.
    public var number: Int32
    /// OTLP `severity_text`: the event's type as Kubernetes spells it.
    public var text: String

    public init(number: Int32, text: String) {
        self.number = number
        self.text = text
    }

    public init(eventType: String) {
        text = eventType
        switch eventType {
        case "Normal": number = 9
        case "Warning": number = 13
        default: number = 0
        }
    }
}
