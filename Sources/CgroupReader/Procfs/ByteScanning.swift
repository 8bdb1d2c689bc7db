#if canImport(Glibc)
import Glibc
#endif

/// Small helpers for parsing kernel text files byte by byte, without building
/// intermediate Strings for every line and field.
typealias Bytes = Slice<UnsafeBufferPointer<UInt8>>

extension UInt8 {
    @inline(__always) var isSpaceOrTab: Bool { self == 0x20 || self == 0x09 }
    @inline(__always) var isDigit: Bool { self >= 0x30 && self <= 0x39 }
}

/// Iterates the lines of a buffer (without their newline).
struct LineIterator: IteratorProtocol, Sequence {
    private var rest: Bytes

    init(_ buffer: UnsafeBufferPointer<UInt8>) { rest = buffer[...] }
    init(_ bytes: Bytes) { rest = bytes }

    mutating func next() -> Bytes? {
        guard !rest.isEmpty else { return nil }
        if let newline = rest.firstIndex(of: 0x0A) {
            let line = rest[rest.startIndex..<newline]
            rest = rest[(newline + 1)...]
            return line
        }
        let line = rest
        rest = rest[rest.endIndex...]
        return line
    }
}

/// Iterates whitespace-separated fields of one line.
struct FieldIterator: IteratorProtocol, Sequence {
    private var rest: Bytes

    init(_ line: Bytes) { rest = line }

    mutating func next() -> Bytes? {
        guard let start = rest.firstIndex(where: { !$0.isSpaceOrTab }) else { return nil }
        let end = rest[start...].firstIndex(where: { $0.isSpaceOrTab }) ?? rest.endIndex
        let field = rest[start..<end]
        rest = rest[end...]
        return field
    }
}

extension Slice where Base == UnsafeBufferPointer<UInt8> {
    /// The field as a non-negative decimal integer; nil on anything else, including overflow.
    var uint64: UInt64? {
        guard !isEmpty else { return nil }
        var value: UInt64 = 0
        for byte in self {
            guard byte.isDigit else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte &- 0x30))
            if overflow1 || overflow2 { return nil }
            value = sum
        }
        return value
    }

    /// The field as a decimal floating-point number (Swift's parser rounds correctly,
    /// as Go's strconv.ParseFloat does).
    var double: Double? {
        guard !isEmpty, count < 64 else { return nil }
        return plainDecimal ?? Double(Substring(decoding: self, as: UTF8.self))
    }

    /// `digits[.digits]` with at most 15 digits in all (PSI's `avg10=1.23`), without
    /// building a String: the digits as an integer and the power of ten are both exact
    /// doubles, so their quotient is correctly rounded, the value strtod gives
    /// (Clinger's fast path). Nil for anything else, which the standard parser takes.
    private var plainDecimal: Double? {
        var mantissa: UInt64 = 0, digits = 0, fractionDigits = 0
        var point = false
        for byte in self {
            if byte.isDigit {
                mantissa = mantissa &* 10 &+ UInt64(byte &- 0x30)
                digits += 1
                if point { fractionDigits += 1 }
            } else if byte == UInt8(ascii: "."), !point, digits > 0 {
                point = true
            } else {
                return nil
            }
        }
        guard digits <= 15, !point || fractionDigits > 0 else { return nil }
        return Double(mantissa) / exactPowerOfTen(fractionDigits)
    }

    /// The bytes as text; invalid UTF-8 is replaced with U+FFFD, never passed on.
    var string: String { String(decoding: self, as: UTF8.self) }

    func hasPrefix(_ prefix: StaticString) -> Bool {
        let length = prefix.utf8CodeUnitCount
        guard count >= length else { return false }
        guard length > 0, let start = base.baseAddress else { return true }
        return memcmp(start + startIndex, prefix.utf8Start, length) == 0
    }

    func hasSuffix(_ suffix: StaticString) -> Bool {
        count >= suffix.utf8CodeUnitCount && self[(endIndex - suffix.utf8CodeUnitCount)...].hasPrefix(suffix)
    }

    /// Where the first occurrence of `marker` ends.
    func endOfFirst(_ marker: StaticString) -> Int? {
        var start = startIndex
        while endIndex - start >= marker.utf8CodeUnitCount {
            if self[start...].hasPrefix(marker) { return start + marker.utf8CodeUnitCount }
            start += 1
        }
        return nil
    }

    /// Byte by byte, not through `memcmp`: the literals are keys of a few bytes
    /// (`memory.stat`'s, PSI's), compared on every line, where the call costs more
    /// than the comparison.
    @inline(__always)
    func equals(_ literal: StaticString) -> Bool {
        guard count == literal.utf8CodeUnitCount else { return false }
        guard count > 0, let start = base.baseAddress else { return true }
        return bytes(start + startIndex, equal: literal)
    }

    /// The bytes with trailing spaces, tabs and a trailing colon removed.
    func trimmingTrailing(_ byte: UInt8) -> Bytes {
        var end = endIndex
        while end > startIndex, self[end - 1] == byte { end -= 1 }
        return self[startIndex..<end]
    }
}

/// Whether the `literal.utf8CodeUnitCount` bytes at `start` are the literal's, byte by
/// byte (the literals are keys of a few bytes, where a `memcmp` call costs more than
/// the comparison).
@inline(__always) func bytes(_ start: UnsafePointer<UInt8>, equal literal: StaticString) -> Bool {
    let expected = literal.utf8Start
    for offset in 0..<literal.utf8CodeUnitCount where start[offset] != expected[offset] { return false }
    return true
}

/// 10^exponent for 0...15, each exactly representable as a Double.
@inline(__always) private func exactPowerOfTen(_ exponent: Int) -> Double {
    var power = 1.0
    for _ in 0..<exponent { power *= 10 }
    return power
}

/// Runs a parser over the UTF-8 bytes of a string (fixtures and tests).
func withBytes<Result>(of text: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
    var copy = text
    return try copy.withUTF8 { try body($0) }
}
