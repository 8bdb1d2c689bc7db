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
    /// The UTC date and time of day, and the nanoseconds past the second (floored, so a
    /// time before 1970 reads as it would on a calendar).
    public var utc: (year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64, nanosecond: Int64) {
        var seconds = unixNanoseconds / 1_000_000_000
        var nanosecond = unixNanoseconds % 1_000_000_000
        if nanosecond < 0 {
            seconds -= 1
            nanosecond += 1_000_000_000
        }
        var days = seconds / 86_400
        var ofDay = seconds % 86_400
        if ofDay < 0 {
            days -= 1
            ofDay += 86_400
        }
        let date = CivilCalendar.date(days: days)
        return (date.year, date.month, date.day, ofDay / 3600, ofDay / 60 % 60, ofDay % 60, nanosecond)
    }

    /// `metav1.MicroTime` as the API writes it: RFC 3339 in UTC with exactly six
    /// fractional digits (`2026-12-01T10:00:02.004518Z`).
    public var text: String {
        let time = utc
        func padded(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(padded(time.year, 4))-\(padded(time.month, 2))-\(padded(time.day, 2))T\(padded(time.hour, 2)):"
            + "\(padded(time.minute, 2)):\(padded(time.second, 2)).\(padded(time.nanosecond / 1000, 6))Z"
    }
}
