/// A Kubernetes resource quantity (`100m`, `2Gi`, `1.5e3`, `2.1G`), held exactly as
/// a decimal significand and exponent so that rounding matches the API machinery:
/// kube-state-metrics reports `Value()` and `MilliValue()`, which round up.
public struct Quantity: Sendable, Hashable, CustomStringConvertible {
    /// value = significand × 10^exponent
    public let significand: Int128
    public let exponent: Int

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var text: String
        public var description: String { "invalid quantity \"\(text)\"" }
    }

    public init(significand: Int128, exponent: Int) {
        self.significand = significand
        self.exponent = exponent
    }

    /// Parses the quantity grammar of k8s.io/apimachinery/pkg/api/resource.
    public init(parsing text: String) throws(ParseError) {
        var bytes = Substring(text).utf8[...]
        var negative = false
        if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            negative = sign == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        var significand: Int128 = 0
        var exponent = 0
        var digits = 0
        var seenPoint = false
        let precisionLimit: Int128 = 1_000_000_000_000_000_000_000_000_000_000_000_000 // 10^36
        while let byte = bytes.first, byte == UInt8(ascii: ".") || (byte >= 0x30 && byte <= 0x39) {
            bytes = bytes.dropFirst()
            if byte == UInt8(ascii: ".") {
                guard !seenPoint else { throw ParseError(text: text) }
                seenPoint = true
                continue
            }
            digits += 1
            // Beyond 36 significant digits, keep the magnitude and drop precision.
            if significand < precisionLimit {
                significand = significand * 10 + Int128(byte - 0x30)
                if seenPoint { exponent -= 1 }
            } else if !seenPoint {
                exponent += 1
            }
        }
        guard digits > 0 else { throw ParseError(text: text) }
        // The suffix, told apart by its bytes (a string switch compared it against
        // each case in turn, for every quantity of every container).
        let letter = bytes.first ?? 0
        if bytes.isEmpty {
        } else if bytes.count == 1, letter != UInt8(ascii: "K"), let thousands = Self.thousands(letter) {
            exponent += 3 * thousands
        } else if bytes.count == 2, bytes[bytes.index(after: bytes.startIndex)] == UInt8(ascii: "i"),
                  letter != UInt8(ascii: "k"), let thousands = Self.thousands(letter), thousands > 0 {
            let (product, overflow) = significand.multipliedReportingOverflow(by: Int128(1) << (10 * thousands))
            guard !overflow else { throw ParseError(text: text) }
            significand = product
        } else {
            // Decimal exponent: e3, E-2.
            guard let first = bytes.first, first == UInt8(ascii: "e") || first == UInt8(ascii: "E"),
                  let power = Int(String(decoding: bytes.dropFirst(), as: UTF8.self)),
                  power.magnitude <= 100 else { throw ParseError(text: text) }
            exponent += power
        }
        self.init(significand: negative ? -significand : significand, exponent: exponent)
    }

    /// The power of 1000 a suffix letter stands for (`n` -3 … `E` 6). The binary
    /// suffixes reuse the upper-case letters for powers of 1024 (`Mi`, `Gi`, … `Ei`),
    /// and `K` stands only in `Ki`, `k` only alone.
    private static func thousands(_ letter: UInt8) -> Int? {
        switch letter {
        case UInt8(ascii: "n"): -3
        case UInt8(ascii: "u"): -2
        case UInt8(ascii: "m"): -1
        case UInt8(ascii: "k"), UInt8(ascii: "K"): 1
        case UInt8(ascii: "M"): 2
        case UInt8(ascii: "G"): 3
        case UInt8(ascii: "T"): 4
        case UInt8(ascii: "P"): 5
        case UInt8(ascii: "E"): 6
        default: nil
        }
    }

    /// The value in units of 10^-scale, rounded up (away from zero for positive
    /// values, toward zero for negative ones) like resource.Quantity.ScaledValue.
    public func scaledValue(scale: Int) -> Int128 {
        let shift = exponent + scale
        if shift >= 0 {
            guard shift <= 38 else { return significand < 0 ? Int128.min : Int128.max }
            let (product, overflow) = significand.multipliedReportingOverflow(by: Int128(10).power(shift))
            return overflow ? (significand < 0 ? Int128.min : Int128.max) : product
        }
        guard -shift <= 38 else { return significand > 0 ? 1 : 0 }
        let divisor = Int128(10).power(-shift)
        let (quotient, remainder) = significand.quotientAndRemainder(dividingBy: divisor)
        return remainder > 0 ? quotient + 1 : quotient
    }

    /// `Value()`: whole units, rounded up.
    public var value: Int128 { scaledValue(scale: 0) }
    /// `MilliValue()`: thousandths, rounded up.
    public var milliValue: Int128 { scaledValue(scale: 3) }

    /// `value` as a Double.
    public var doubleValue: Double { Self.double(value) }
    /// `milliValue` as a Double.
    public var doubleMilliValue: Double { Self.double(milliValue) }

    /// `Double(Int128)` is the standard library's generic integer conversion, not
    /// specialized (a fifth of a pod's family time went there); a value within Int64,
    /// as every quantity a cluster sets is, converts directly and rounds the same way.
    public static func double(_ value: Int128) -> Double {
        if value >= Int128(Int64.min), value <= Int128(Int64.max) { return Double(Int64(truncatingIfNeeded: value)) }
        return Double(value)
    }

    public var description: String { "\(significand)e\(exponent)" }
}

extension Int128 {
    fileprivate func power(_ exponent: Int) -> Int128 {
        var result: Int128 = 1
        for _ in 0..<exponent { result *= self }
        return result
    }
}
