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
    /// Parsed where it lies in the input, without a `String` (a pod has ten times).
    public mutating func read(_ value: inout Timestamp?) throws {
        let time = try readString { utf8 throws -> Timestamp? in
            guard !utf8.isEmpty else { return nil }
            guard let seconds = RFC3339.seconds(utf8: utf8) else {
                throw MalformedField(field: "time", value: String(decoding: utf8, as: UTF8.self))
            }
            return Timestamp(seconds: seconds)
        }
        if let time, let time { value = time }
    }
}
