/// Writes a Double exactly as Prometheus' Go exposition code does:
/// `1`, `0`, `-1`, `NaN`, `+Inf`, `-Inf` as literals, everything else as
/// `strconv.FormatFloat(v, 'g', -1, 64)`.
///
/// `%g` with shortest precision prints the shortest digit string that reads back to
/// the same Double, in exponent form when the decimal exponent is below -4 or at
/// least 6 (`1.5e+09`, `1e-05`), in plain form otherwise (`123456`, `0.007`).
/// Swift's `description` produces the same shortest digits (both pick the closest of
/// the shortest candidates); only the layout differs, so this re-lays them out.
public enum GoFloatFormat {
    /// The longest text `write` produces (`-2.2250738585072014e-308` is 24).
    public static let maximumLength = 32

    public static func append(_ value: Double, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maximumLength) { text in
            let count = write(value, to: text.baseAddress!)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: text[0..<count]))
        }
    }

    /// Writes the text at `out`, which has room for `maximumLength` bytes; returns
    /// how many it wrote.
    public static func write(_ value: Double, to out: UnsafeMutablePointer<UInt8>) -> Int {
        if value == 1 { out[0] = UInt8(ascii: "1"); return 1 }
        if value == 0 { out[0] = UInt8(ascii: "0"); return 1 }  // also -0, as Go's writer
        if value == -1 { out[0] = UInt8(ascii: "-"); out[1] = UInt8(ascii: "1"); return 2 }
        if value.isNaN { return copy("NaN", to: out) }
        if value.isInfinite { return copy(value > 0 ? "+Inf" : "-Inf", to: out) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digits in
            let (count, pointPosition) = shortestDigits(of: value.magnitude, into: digits)
            var written = 0
            if value < 0 {
                out[0] = UInt8(ascii: "-")
                written = 1
            }
            return written + layOut(digits: UnsafeBufferPointer(rebasing: digits[0..<count]), pointPosition: pointPosition,
                                    to: out + written)
        }
    }

    private static func copy(_ text: StaticString, to out: UnsafeMutablePointer<UInt8>) -> Int {
        out.update(from: text.utf8Start, count: text.utf8CodeUnitCount)
        return text.utf8CodeUnitCount
    }

    /// The formatted text, for callers outside a hot path.
    public static func string(_ value: Double) -> String {
        var bytes: [UInt8] = []
        append(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Fills `digits` with the significant decimal digits (as ASCII, no leading or
    /// trailing zeros) of a finite positive value, returning their count and the
    /// position of the decimal point: value = 0.d1d2...dn × 10^pointPosition.
    private static func shortestDigits(of value: Double, into digits: UnsafeMutableBufferPointer<UInt8>) -> (Int, Int) {
        // Integers below 2^53 are exact: their digits are the shortest representation.
        if value < 9_007_199_254_740_992, value == value.rounded(.towardZero) {
            var n = UInt64(value)
            var reversed = 0
            while n > 0 {
                digits[reversed] = UInt8(ascii: "0") + UInt8(n % 10)
                n /= 10
                reversed += 1
            }
            // Reverse in place, then drop trailing zeros (they only move the point).
            var i = 0, j = reversed - 1
            while i < j { digits.swapAt(i, j); i += 1; j -= 1 }
            var count = reversed
            while count > 1, digits[count - 1] == UInt8(ascii: "0") { count -= 1 }
            return (count, reversed)
        }
        return parseSwiftDescription(value.description, into: digits)
    }

    /// Swift prints "123.456", "1e-05", "1.5e+20", "1234567.0": read the digits and
    /// the decimal exponent back out of that text.
    private static func parseSwiftDescription(_ text: String, into digits: UnsafeMutableBufferPointer<UInt8>) -> (Int, Int) {
        var count = 0
        var pointPosition = 0
        var seenPoint = false
        var seenNonZero = false
        var exponent = 0
        var exponentSign = 1
        var inExponent = false
        for byte in text.utf8 {
            if inExponent {
                switch byte {
                case UInt8(ascii: "-"): exponentSign = -1
                case UInt8(ascii: "+"): break
                default: exponent = exponent * 10 + Int(byte - UInt8(ascii: "0"))
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "."):
                seenPoint = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                inExponent = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if byte == UInt8(ascii: "0") && !seenNonZero {
                    // Leading zero: before the point it carries nothing; after it, it
                    // moves the point one place to the right of the first digit.
                    if seenPoint { pointPosition -= 1 }
                    continue
                }
                seenNonZero = true
                if !seenPoint { pointPosition += 1 }
                digits[count] = byte
                count += 1
            default:
                break
            }
        }
        while count > 1, digits[count - 1] == UInt8(ascii: "0") { count -= 1 }
        return (count, pointPosition + exponentSign * exponent)
    }

    private static func layOut(digits: UnsafeBufferPointer<UInt8>, pointPosition: Int, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var written = 0
        func put(_ byte: UInt8) {
            out[written] = byte
            written += 1
        }
        func put<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
            for byte in bytes { put(byte) }
        }
        let exponent = pointPosition - 1
        if exponent < -4 || exponent >= 6 {
            put(digits[0])
            if digits.count > 1 {
                put(UInt8(ascii: "."))
                put(digits[1...])
            }
            put(UInt8(ascii: "e"))
            put(UInt8(ascii: exponent < 0 ? "-" : "+"))
            let magnitude = abs(exponent)
            if magnitude >= 100 { put(UInt8(ascii: "0") + UInt8(magnitude / 100)) }
            put(UInt8(ascii: "0") + UInt8(magnitude / 10 % 10))
            put(UInt8(ascii: "0") + UInt8(magnitude % 10))
            return written
        }
        if pointPosition <= 0 {
            put(UInt8(ascii: "0"))
            put(UInt8(ascii: "."))
            for _ in 0..<(-pointPosition) { put(UInt8(ascii: "0")) }
            put(digits)
            return written
        }
        if pointPosition >= digits.count {
            put(digits)
            for _ in 0..<(pointPosition - digits.count) { put(UInt8(ascii: "0")) }
            return written
        }
        put(digits[0..<pointPosition])
        put(UInt8(ascii: "."))
        put(digits[pointPosition...])
        return written
    }
}
