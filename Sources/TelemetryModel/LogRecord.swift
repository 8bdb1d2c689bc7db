/// A value of a log attribute (OTLP's AnyValue, limited to what Telegen sends).
public enum AttributeValue: Sendable, Hashable {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
}

/// One log record, the way OTLP's LogRecord carries it: Telegen sends Kubernetes
/// events as these.
public struct LogRecord: Sendable, Hashable {
    /// When the event happened (Unix nanoseconds); 0 when unknown.
    public var timeUnixNano: UInt64
    /// When Telegen saw it.
    public var observedTimeUnixNano: UInt64
    /// OTLP SeverityNumber: 9 INFO, 13 WARN, 0 unspecified.
    public var severityNumber: Int32
    public var severityText: String
    public var body: String
    public var attributes: [Attribute]
    /// OTLP's event_name; empty when not an event in the OpenTelemetry sense.
    public var eventName: String

    public struct Attribute: Sendable, Hashable {
        public var key: String
        public var value: AttributeValue

        public init(_ key: String, _ value: AttributeValue) {
            self.key = key
            self.value = value
        }
    }

    public init(timeUnixNano: UInt64, observedTimeUnixNano: UInt64, severityNumber: Int32, severityText: String,
                body: String, attributes: [Attribute], eventName: String = "") {
        self.timeUnixNano = timeUnixNano
        self.observedTimeUnixNano = observedTimeUnixNano
        self.severityNumber = severityNumber
        self.severityText = severityText
        self.body = body
        self.attributes = attributes
        self.eventName = eventName
    }
}
