/// The `Retry-After` header of a 429 or 503 (RFC 9110 §10.2.3): a number of seconds,
/// or an HTTP-date to wait until. All three date forms RFC 9110 says a recipient must
/// accept are read: IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850
/// (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`).
///
/// The value comes from the network: nothing in it can make the arithmetic trap, and
/// anything unreadable is nil (the retry policy's own backoff then applies).
enum RetryAfter {
    /// More than this many seconds is taken as this many; the retry policy's elapsed
    /// time limit gives the batch up long before.
    static let maximumSeconds: Int64 = 1 << 31

    /// The delay the header asks for; a date in the past is no delay.
    static func delay(_ value: String, nowUnixSeconds: Int64) -> Duration? {
        let text = value.trimmingASCIISpaces()
        guard !text.isEmpty else { return nil }
        if text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            // Many digits are still a valid, very long delay.
            let seconds = text.utf8.count > 12 ? maximumSeconds : min(Int64(text) ?? maximumSeconds, maximumSeconds)
            return .seconds(seconds)
        }
        guard let date = unixSeconds(ofHTTPDate: String(text)) else { return nil }
        guard date > nowUnixSeconds else { return .zero }
        // A clock far off could make the difference overflow; it is capped anyway.
        let (difference, overflow) = date.subtractingReportingOverflow(nowUnixSeconds)
        return .seconds(overflow ? maximumSeconds : min(difference, maximumSeconds))
    }

    /// Seconds since 1970 of an HTTP-date in any of its three forms, nil if it is not one.
    static func unixSeconds(ofHTTPDate text: String) -> Int64? {
        var day: Int64?, month: Int64?, year: Int64?, time: (Int64, Int64, Int64)?
        var yearDigits = 0
        for token in text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" }) {
            if token.contains(":") {
                let parts = token.split(separator: ":", omittingEmptySubsequences: false)
                guard time == nil, parts.count == 3, parts.allSatisfy({ $0.count == 2 }),
                      let hour = Int64(parts[0]), let minute = Int64(parts[1]), let second = Int64(parts[2]),
                      hour < 24, minute < 60, second < 61 else { return nil }
                time = (hour, minute, second)
            } else if let number = Int64(token), token.count <= 4 {
                if token.count == 4 || (day != nil && month != nil) {
                    guard year == nil else { return nil }
                    year = number
                    yearDigits = token.count
                } else {
                    guard day == nil else { return nil }
                    day = number
                }
            } else if let index = monthNames.firstIndex(of: token.lowercased()) {
                guard month == nil else { return nil }
                month = Int64(index + 1)
            } else if token.uppercased() == "GMT" || weekdayNames.contains(where: { token.lowercased().hasPrefix($0) }) {
                continue
            } else {
                return nil
            }
        }
        guard let day, let month, var year, let (hour, minute, second) = time, (1...31).contains(day) else { return nil }
        if yearDigits == 2 {
            // RFC 850's two-digit year: the century that puts it nearest to now (RFC 9110
            // says at most 50 years ahead); Telegen will not run before 1970.
            year += year < 70 ? 2000 : 1900
        }
        guard (1970...9999).contains(year) else { return nil }
        return daysSince1970(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
    }

    private static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    private static let weekdayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (Howard
    /// Hinnant's days_from_civil); the inputs are range-checked by the caller.
    private static func daysSince1970(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = y / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

extension String {
    fileprivate func trimmingASCIISpaces() -> Substring {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return slice
    }
}
