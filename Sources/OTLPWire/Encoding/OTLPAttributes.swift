import TelemetryModel

/// Sizes and writes of OTLP's KeyValue/AnyValue, the building block of resource,
/// scope, metric metadata, data point and log attributes.
enum OTLPAttributes {
    // KeyValue: key = 1, value = 2. AnyValue: string_value = 1, bool_value = 2,
    // int_value = 3, double_value = 4.

    static func anyValueSize(_ value: AttributeValue) -> Int {
        switch value {
        case .string(let text): ProtobufSize.string(1, text)
        case .bool: 2
        case .int(let number): 1 + ProtobufSize.varint(UInt64(bitPattern: number))
        case .double: ProtobufSize.fixed64Field
        }
    }

    static func keyValueSize(_ key: String, _ value: AttributeValue) -> Int {
        ProtobufSize.string(1, key) + ProtobufSize.message(2, contentSize: anyValueSize(value))
    }

    /// A KeyValue with a string value (every Prometheus label).
    @inline(__always)
    static func keyValueSize(_ key: String, _ value: String) -> Int {
        ProtobufSize.string(1, key) + ProtobufSize.message(2, contentSize: ProtobufSize.string(1, value))
    }

    /// The whole field (tag, length, KeyValue) of a repeated attribute.
    @inline(__always)
    static func fieldSize(_ field: Int, _ key: String, _ value: String) -> Int {
        ProtobufSize.message(field, contentSize: keyValueSize(key, value))
    }

    static func fieldSize(_ field: Int, _ key: String, _ value: AttributeValue) -> Int {
        ProtobufSize.message(field, contentSize: keyValueSize(key, value))
    }

    static func write(_ field: Int, _ key: String, _ value: String, to writer: inout ProtobufWriter) {
        writer.messageHeader(field, contentSize: keyValueSize(key, value))
        writer.string(1, key)
        writer.messageHeader(2, contentSize: ProtobufSize.string(1, value))
        writer.string(1, value)
    }

    static func write(_ field: Int, _ key: String, _ value: AttributeValue, to writer: inout ProtobufWriter) {
        writer.messageHeader(field, contentSize: keyValueSize(key, value))
        writer.string(1, key)
        writeAnyValue(2, value, to: &writer)
    }

    static func writeAnyValue(_ field: Int, _ value: AttributeValue, to writer: inout ProtobufWriter) {
        writer.messageHeader(field, contentSize: anyValueSize(value))
        switch value {
        case .string(let text):
            writer.string(1, text)
        case .bool(let flag):
            writer.tag(2, .varint)
            writer.varint(flag ? 1 : 0)
        case .int(let number):
            writer.tag(3, .varint)
            writer.varint(UInt64(bitPattern: number))
        case .double(let number):
            writer.double(4, number)
        }
    }
}

/// The entity the telemetry is about (OTLP Resource): for Telegen, the agent on a node.
public struct OTLPResource: Sendable, Hashable {
    public var attributes: [LogRecord.Attribute]

    public init(attributes: [LogRecord.Attribute]) {
        self.attributes = attributes
    }

    // Resource: attributes = 1.
    var contentSize: Int {
        attributes.reduce(0) { $0 + OTLPAttributes.fieldSize(1, $1.key, $1.value) }
    }

    func write(_ field: Int, to writer: inout ProtobufWriter) {
        writer.messageHeader(field, contentSize: contentSize)
        for attribute in attributes { OTLPAttributes.write(1, attribute.key, attribute.value, to: &writer) }
    }
}

/// Names the collector that produced the telemetry (OTLP InstrumentationScope).
public struct OTLPScope: Sendable, Hashable {
    public var name: String
    public var version: String

    public init(name: String, version: String) {
        self.name = name
        self.version = version
    }

    // InstrumentationScope: name = 1, version = 2 (empty strings are not sent).
    var contentSize: Int {
        (name.isEmpty ? 0 : ProtobufSize.string(1, name)) + (version.isEmpty ? 0 : ProtobufSize.string(2, version))
    }

    func write(_ field: Int, to writer: inout ProtobufWriter) {
        writer.messageHeader(field, contentSize: contentSize)
        if !name.isEmpty { writer.string(1, name) }
        if !version.isEmpty { writer.string(2, version) }
    }
}
