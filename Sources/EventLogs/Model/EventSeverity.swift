/// The OTLP severity of a Kubernetes event, from its `type`, as the OpenTelemetry
/// Collector's `k8s_events` receiver maps it (case-insensitively): Normal is INFO (9),
/// Warning WARN (13), Error ERROR (17), Critical FATAL (21), the lowest number of each
/// range as the logs data model asks. The core/v1 API accepts any type string: an
/// unknown one has no number, as in the receiver, but keeps its text (the receiver
/// drops it too), because the type is then the only place it survives.
public struct EventSeverity: Sendable, Equatable {
    /// OTLP `SeverityNumber`.
    public var number: Int32
    /// OTLP `severity_text`: the event's type as it was written.
    public var text: String

    public init(number: Int32, text: String) {
        self.number = number
        self.text = text
    }

    public init(eventType: String) {
        switch eventType.lowercased() {
        case "normal": number = 9
        case "warning": number = 13
        case "error": number = 17
        case "critical": number = 21
        default: number = 0
        }
        text = eventType
    }
}
