/// Number syntax of the exposition formats, parsed from bytes without Foundation.
///
/// Values follow Go's `strconv.ParseFloat` as Prometheus calls it: an optional sign,
/// decimal digits with an optional fraction and exponent, or `Inf`/`Infinity` (any case,
/// optional sign) and `NaN` (any case, no sign). Prometheus rejects `_`, `p` and `P`
/// (so hex floats) and a value that overflows a double; so does this. Text-format
/// timestamps are decimal digits only (milliseconds); OpenMetrics timestamps are
/// floats (seconds).
enum ExpositionNumber {
    /// Powers of ten exactly representable as doubles (Clinger's fast path).
    private static let exactPowers: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// Parses `bytes[start..<end]` as a float value; nil when it is not one.
    static func parseDouble(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        var i = start
        guard i < end else { return nil }
        var negative = false
        let first = p[i]
        if first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            negative = first == UInt8(ascii: "-")
            i += 1
            guard i < end else { return nil }
        }
        let c = p[i] | 0x20
        if c == UInt8(ascii: "i") || c == UInt8(ascii: "n") {
            return special(p, start, end)
        }
        // Mantissa: digits, optional '.', digits; at least one digit.
        var mantissa: UInt64 = 0
        var significant = 0          // digits accumulated into mantissa
        var droppedDigits = false    // more than 19 significant digits
        var exponent = 0             // decimal exponent adjustment
        var sawDigit = false
        var sawDot = false
        while i < end {
            let b = p[i]
            if b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") {
                sawDigit = true
                if mantissa == 0 && b == UInt8(ascii: "0") {
                    if sawDot { exponent &-= 1 }
                } else if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(b &- UInt8(ascii: "0"))
                    significant += 1
                    if sawDot { exponent &-= 1 }
                } else {
                    droppedDigits = true
                    if !sawDot { exponent &+= 1 }
                }
                // Saturate so an absurdly long fraction cannot overflow the counter.
                if exponent < -1_000_000 { exponent = -1_000_000 }
                if exponent > 1_000_000 { exponent = 1_000_000 }
            } else if b == UInt8(ascii: ".") && !sawDot {
                sawDot = true
            } else {
                break
            }
            i += 1
        }
        guard sawDigit else { return nil }
        if i < end {
            guard p[i] | 0x20 == UInt8(ascii: "e") else { return nil }
            i += 1
            guard i < end else { return nil }
            var expNegative = false
            if p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") {
                expNegative = p[i] == UInt8(ascii: "-")
                i += 1
            }
            var expValue = 0
            var sawExpDigit = false
            while i < end, p[i] >= UInt8(ascii: "0"), p[i] <= UInt8(ascii: "9") {
                sawExpDigit = true
                if expValue < 1_000_000 { expValue = expValue * 10 + Int(p[i] - UInt8(ascii: "0")) }
                i += 1
            }
            guard sawExpDigit, i == end else { return nil }
            exponent = expNegative ? exponent - expValue : exponent + expValue
        }
        if !droppedDigits && mantissa <= (1 << 53) {
            var value: Double?
            if mantissa == 0 {
                value = 0
            } else if exponent >= 0 && exponent <= 22 {
                value = Double(mantissa) * exactPowers[exponent]
            } else if exponent < 0 && exponent >= -22 {
                value = Double(mantissa) / exactPowers[-exponent]
            }
            if let value { return negative ? -value : value }
        }
        return slowPath(p, start, end)
    }

    /// Correctly rounded conversion through the standard library (strtod underneath) for
    /// the rare values outside the exact fast path; the syntax was checked already.
    private static func slowPath(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        let text = String(decoding: UnsafeBufferPointer(start: p + start, count: end - start), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { return nil }  // overflow is an error, as in Go
        return value
    }

    /// `inf`, `infinity` (optional sign) and `nan` (no sign), any case.
    private static func special(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        var i = start
        var negative = false
        var signed = false
        if p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") {
            negative = p[i] == UInt8(ascii: "-")
            signed = true
            i += 1
        }
        let word = end - i
        func matches(_ s: StaticString) -> Bool {
            guard word == s.utf8CodeUnitCount else { return false }
            let w = s.utf8Start
            for k in 0..<word where p[i + k] | 0x20 != w[k] { return false }
            return true
        }
        if matches("inf") || matches("infinity") { return negative ? -.infinity : .infinity }
        if !signed && matches("nan") { return .nan }
        return nil
    }

    /// Text-format timestamp: decimal digits only, milliseconds, must fit an Int64.
    static func parseMilliseconds(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
        guard start < end else { return nil }
        var value: Int64 = 0
        for i in start..<end {
            let b = p[i]
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(b - UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            value = s
        }
        return value
    }

    /// OpenMetrics timestamp: float seconds, finite, converted to milliseconds (truncated,
    /// as Prometheus does) and within Int64.
    static func parseSecondsAsMilliseconds(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
        guard let seconds = parseDouble(p, start, end), seconds.isFinite else { return nil }
        let ms = seconds * 1000
        guard ms > -9.2e18, ms < 9.2e18 else { return nil }
        return Int64(ms)
    }
}
