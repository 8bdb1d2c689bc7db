/// Kubernetes timestamps (`metav1.Time`: `2017-08-01T06:30:18Z`; `MicroTime` adds a
/// fraction; an offset is accepted too) as whole Unix seconds, which is what
/// kube-state-metrics reports (`Time.Unix()` truncates the fraction).
enum RFC3339 {
    static func seconds(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { seconds(utf8: $0) }
    }

    static func seconds(utf8: UnsafeBufferPointer<UInt8>) -> Int64? {
        parse(utf8: utf8)?.seconds
    }

    /// Unix nanoseconds, the fraction kept (to nanoseconds); nil past the year 2262.
    static func nanoseconds(_ text: String) -> Int64? {
        var text = text
        guard let (seconds, fraction) = text.withUTF8({ parse(utf8: $0) }) else { return nil }
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return nil }
        let (sum, carried) = scaled.addingReportingOverflow(fraction)
        return carried ? nil : sum
    }

    private static func parse(utf8 bytes: UnsafeBufferPointer<UInt8>) -> (seconds: Int64, nanoseconds: Int64)? {
        guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let year = number(bytes, 0, 4), let month = number(bytes, 5, 2), let day = number(bytes, 8, 2),
              let hour = number(bytes, 11, 2), let minute = number(bytes, 14, 2), let second = number(bytes, 17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var index = 19
        var fraction: Int64 = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                // Nanoseconds: the first nine digits count, the rest are below resolution.
                if index - start < 9 { fraction = fraction * 10 + Int64(bytes[index] - UInt8(ascii: "0")) }
                index += 1
            }
            guard index > start else { return nil }
            for _ in min(index - start, 9)..<9 { fraction *= 10 }
        }
        var offset: Int64 = 0
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == bytes.count, bytes[index + 3] == UInt8(ascii: ":"),
                  let hours = number(bytes, index + 1, 2), let minutes = number(bytes, index + 4, 2) else { return nil }
            offset = (hours * 3600 + minutes * 60) * (bytes[index] == UInt8(ascii: "+") ? 1 : -1)
            index += 6
        default:
            return nil
        }
        guard index == bytes.count else { return nil }
        return (CivilCalendar.days(year: year, month: month, day: day) * 86400 + hour * 3600 + minute * 60 + second - offset, fraction)
    }

    private static func number(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int64? {
        var value: Int64 = 0
        for byte in bytes[start..<start + count] {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        return value
    }
}
