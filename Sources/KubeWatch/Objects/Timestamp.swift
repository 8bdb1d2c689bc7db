/// A point in time as the API writes it (`metav1.Time`, RFC 3339) held as whole Unix
/// seconds: what kube-state-metrics reports (`Time.Unix()` drops the fraction).
public struct Timestamp: Sendable, Hashable, Comparable {
    public var seconds: Int64

    public init(seconds: Int64) {
        self.seconds = seconds
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.seconds < rhs.seconds }

    /// Go's zero `time.Time` (year 1) in Unix seconds: what kube-state-metrics prints
    /// for a time that is not set where it reads one anyway.
    public static let goZero = Timestamp(seconds: -62_135_596_800)
}

extension JSONReader {
    /// An RFC 3339 time; `null`, absent or `""` stay nil; anything else that does not
    /// parse makes the object malformed.
    public mutating func read(_ value: inout Timestamp?) throws {
        guard let text = try readString(), !text.isEmpty else { return }
        guard let seconds = RFC3339.seconds(text) else { throw MalformedField(field: "time", value: text) }
        value = Timestamp(seconds: seconds)
    }
}
