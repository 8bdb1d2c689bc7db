/// A point in time kept to the nanosecond (`metav1.MicroTime`, and `metav1.Time` read
/// the same way): an event's occurrence times, which whole seconds would blur.
public struct MicroTime: Sendable, Hashable, Comparable {
    public var unixNanoseconds: Int64

    public init(unixNanoseconds: Int64) {
        self.unixNanoseconds = unixNanoseconds
    }

    public static func < (lhs: MicroTime, rhs: MicroTime) -> Bool { lhs.unixNanoseconds < rhs.unixNanoseconds }
}

extension JSONReader {
    /// An RFC 3339 time with or without a fraction; `null`, absent or `""` stay nil;
    /// anything else that does not parse makes the object malformed.
    public mutating func read(_ value: inout MicroTime?) throws {
        guard let text = try readString(), !text.isEmpty else { return }
        guard let nanoseconds = RFC3339.nanoseconds(text) else { throw MalformedField(field: "time", value: text) }
        value = MicroTime(unixNanoseconds: nanoseconds)
    }
}
