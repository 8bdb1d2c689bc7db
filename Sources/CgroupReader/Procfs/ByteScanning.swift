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
        return Double(Substring(decoding: self, as: UTF8.self))
    }

    /// The bytes as text; invalid UTF-8 is replaced with U+FFFD, never passed on.
    var string: String { String(decoding: self, as: UTF8.self) }

    func hasPrefix(_ prefix: StaticString) -> Bool {
        let p = UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
        guard count >= p.count else { return false }
        return zip(self, p).allSatisfy { $0 == $1 }
    }

    func equals(_ literal: StaticString) -> Bool {
        count == literal.utf8CodeUnitCount && hasPrefix(literal)
    }

    /// The bytes with trailing spaces, tabs and a trailing colon removed.
    func trimmingTrailing(_ byte: UInt8) -> Bytes {
        var end = endIndex
        while end > startIndex, self[end - 1] == byte { end -= 1 }
        return self[startIndex..<end]
    }
}

/// Runs a parser over the UTF-8 bytes of a string (fixtures and tests).
func withBytes<Result>(of text: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
    var copy = text
    return try copy.withUTF8 { try body($0) }
}
