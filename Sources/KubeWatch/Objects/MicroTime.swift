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

extension MicroTime {
    /// `metav1.MicroTime` as the API writes it: RFC 3339 in UTC with exactly six
    /// fractional digits (`2026-12-01T10:00:02.004518Z`).
    public var text: String {
        let seconds = unixNanoseconds >= 0 ? unixNanoseconds / 1_000_000_000 : (unixNanoseconds + 1) / 1_000_000_000 - 1
        let micros = (unixNanoseconds - seconds * 1_000_000_000) / 1000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds + 1) / 86_400 - 1
        let secondOfDay = seconds - days * 86_400
        let date = CivilCalendar.date(days: days)
        func padded(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(padded(date.year, 4))-\(padded(date.month, 2))-\(padded(date.day, 2))T\(padded(secondOfDay / 3600, 2)):"
            + "\(padded(secondOfDay % 3600 / 60, 2)):\(padded(secondOfDay % 60, 2)).\(padded(micros, 6))Z"
    }
}
