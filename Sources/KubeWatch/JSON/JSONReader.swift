#if canImport(Glibc)
import Glibc
#endif
import TelemetryModel

/// A pull parser over one JSON document in memory, for API objects: the decoder asks
/// for the fields it needs and skips the rest without building them (a pod's
/// `managedFields` alone is often half its bytes). Keys are compared as bytes, with
/// no allocation; only the strings kept become `String`s.
///
/// Invalid UTF-8 inside strings is replaced with U+FFFD rather than rejected: a label
/// value must not cost the whole object.
public struct JSONReader: ~Copyable {
    private let bytes: UnsafeBufferPointer<UInt8>
    private(set) var offset = 0
    private var depth = 0
    /// Deeper nesting is refused: no API object comes close, and recursion must end.
    static let maximumDepth = 64

    public struct SyntaxError: Error, Equatable, CustomStringConvertible {
        public var offset: Int
        public var reason: String
        public var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    public enum Kind: Equatable {
        case object, array, string, number, bool, null
    }

    public init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    // MARK: Structure

    /// The kind of the next value, without consuming it.
    public mutating func peek() throws(SyntaxError) -> Kind {
        skipWhitespace()
        guard offset < bytes.count else { throw error("unexpected end") }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: throw error("unexpected character")
        }
    }

    /// Calls `body` once per member of an object, with the key; `body` must consume the
    /// value (read it or `skipValue()`). `null` instead of an object calls nothing.
    public mutating func readObject(_ body: (inout JSONReader, JSONKey) throws -> Void) throws {
        if try consumeNull() { return }
        try expect(UInt8(ascii: "{"))
        try enter()
        skipWhitespace()
        if consume(UInt8(ascii: "}")) {
            depth -= 1
            return
        }
        while true {
            skipWhitespace()
            let key = try readKey()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            try body(&self, key)
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            try expect(UInt8(ascii: "}"))
            depth -= 1
            return
        }
    }

    /// Calls `body` once per element; `body` must consume it. `null` calls nothing.
    public mutating func readArray(_ body: (inout JSONReader) throws -> Void) throws {
        if try consumeNull() { return }
        try expect(UInt8(ascii: "["))
        try enter()
        skipWhitespace()
        if consume(UInt8(ascii: "]")) {
            depth -= 1
            return
        }
        while true {
            try body(&self)
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            try expect(UInt8(ascii: "]"))
            depth -= 1
            return
        }
    }

    /// Skips one value of any kind without building or unescaping anything: most of an
    /// API object (`managedFields`, the pod template, annotations nobody asked for) is
    /// skipped, so this is the parser's hot loop. A skipped object or array is checked
    /// for balanced brackets, terminated strings and its depth, not for every comma.
    public mutating func skipValue() throws(SyntaxError) {
        skipWhitespace()
        guard offset < bytes.count else { throw error("unexpected end") }
        switch bytes[offset] {
        case UInt8(ascii: "{"), UInt8(ascii: "["): try skipContainer()
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"), UInt8(ascii: "f"): _ = try readBool()
        case UInt8(ascii: "n"): _ = try consumeNull()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try readNumberBytes()
        default: throw error("unexpected character")
        }
    }

    private mutating func skipContainer() throws(SyntaxError) {
        guard let base = bytes.baseAddress else { throw error("unexpected end") }
        var value = JSONValueScan(depthLimit: Self.maximumDepth - depth)
        switch value.scan(base, from: offset, to: bytes.count) {
        case .end(let end):
            offset = end
        case .tooDeep(let index):
            offset = index
            throw error("nested deeper than \(Self.maximumDepth)")
        case .more:
            offset = bytes.count
            throw error(value.inString ? "unterminated string" : "unterminated object or array")
        }
    }

    /// The index of the quote that ends a string whose content starts at `start`
    /// (`end` when there is none).
    private static func endOfString(_ base: UnsafePointer<UInt8>, from start: Int, end: Int) -> Int {
        var index = start
        while true {
            index = JSONByteScan.nextQuoteOrBackslash(base, from: index, end: end)
            guard index < end, base[index] == UInt8(ascii: "\\") else { return index }
            index += 2
            if index >= end { return end }
        }
    }

    /// Skips one value and returns its bytes, to be decoded on its own: a list item
    /// that fails to decode then costs only itself, not the rest of the page.
    public mutating func readRawValue() throws(SyntaxError) -> UnsafeBufferPointer<UInt8> {
        skipWhitespace()
        let start = offset
        try skipValue()
        return UnsafeBufferPointer(rebasing: bytes[start..<offset])
    }

    /// Everything after the document must be whitespace.
    public mutating func finish() throws(SyntaxError) {
        skipWhitespace()
        guard offset == bytes.count else { throw error("data after the document") }
    }

    // MARK: Scalars

    /// A string; `null` reads as nil. Another kind is an error.
    public mutating func readString() throws(SyntaxError) -> String? {
        guard let start = try openString() else { return nil }
        if let slice = try readPlainString(from: start) { return String(decoding: slice, as: UTF8.self) }
        return try readEscapedString(from: start)
    }

    /// A string's UTF-8 bytes lent to `body` without making a `String` of them: in
    /// place when the string has no escape (times and quantities never do), unescaped
    /// first when it has. `null` reads as nil and `body` is not called. For values
    /// parsed on the spot: a `String` for each time of a pod was a fifth of the
    /// allocations of its decoding.
    public mutating func readString<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) throws -> Result? {
        guard let start = try openString() else { return nil }
        if let slice = try readPlainString(from: start) { return try body(slice) }
        var text = try readEscapedString(from: start)
        return try text.withUTF8 { try body($0) }
    }

    /// Past `null` (nil) or past a string's opening quote (where its content starts);
    /// another kind is an error.
    @inline(__always)
    private mutating func openString() throws(SyntaxError) -> Int? {
        if try consumeNull() { return nil }
        guard try peek() == .string else { throw error("expected a string") }
        offset += 1
        return offset
    }

    /// The bytes of the string whose content starts at `start` when it has no escape,
    /// with `offset` moved past its closing quote; nil (and `offset` at the first
    /// backslash) when it has one. Eight bytes at a time. The opening quote was read
    /// from the buffer, so it has a base.
    @inline(__always)
    private mutating func readPlainString(from start: Int) throws(SyntaxError) -> UnsafeBufferPointer<UInt8>? {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        offset = ByteWords.firstIndex(bytes.baseAddress!, from: start, to: bytes.count,
                                      stops: { ByteWords.matches($0, quote) | ByteWords.matches($0, backslash) | ByteWords.below($0, 0x20) },
                                      isStop: { $0 == quote || $0 == backslash || $0 < 0x20 })
        guard offset < bytes.count else { return nil }
        let byte = bytes[offset]
        if byte == quote {
            let slice = UnsafeBufferPointer(rebasing: bytes[start..<offset])
            offset += 1
            return slice
        }
        guard byte >= 0x20 else { throw error("control character in a string") }
        return nil
    }

    public mutating func readBool() throws(SyntaxError) -> Bool {
        skipWhitespace()
        if matches("true") {
            offset += 4
            return true
        }
        if matches("false") {
            offset += 5
            return false
        }
        throw error("expected true or false")
    }

    /// A number as Double (JSON numbers are what Go's float64 reads); `null` is nil.
    public mutating func readDouble() throws(SyntaxError) -> Double? {
        if try consumeNull() { return nil }
        let slice = try readNumberBytes()
        guard let value = Double(Substring(decoding: slice, as: UTF8.self)) else { throw error("bad number") }
        return value
    }

    /// An integer number; a fraction or exponent is an error. `null` is nil.
    public mutating func readInt() throws(SyntaxError) -> Int64? {
        if try consumeNull() { return nil }
        let slice = try readNumberBytes()
        guard let value = Int64(Substring(decoding: slice, as: UTF8.self)) else { throw error("expected an integer") }
        return value
    }

    // MARK: Internals

    private mutating func enter() throws(SyntaxError) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw error("nested deeper than \(Self.maximumDepth)") }
    }

    private mutating func consumeNull() throws(SyntaxError) -> Bool {
        skipWhitespace()
        guard matches("null") else { return false }
        offset += 4
        return true
    }

    private func matches(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard offset + count <= bytes.count else { return false }
        return word.withUTF8Buffer { literal in
            for index in 0..<count where bytes[offset + index] != literal[index] { return false }
            return true
        }
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x0A, 0x0D, 0x09: offset += 1
            default: return
            }
        }
    }

    @inline(__always)
    private mutating func consume(_ byte: UInt8) -> Bool {
        guard offset < bytes.count, bytes[offset] == byte else { return false }
        offset += 1
        return true
    }

    /// In line (it runs for every colon, comma and bracket); the error is built out of line.
    @inline(__always)
    private mutating func expect(_ byte: UInt8) throws(SyntaxError) {
        skipWhitespace()
        guard consume(byte) else { throw expected(byte) }
    }

    @inline(never)
    private func expected(_ byte: UInt8) -> SyntaxError {
        error("expected \"\(Character(Unicode.Scalar(byte)))\"")
    }

    private mutating func readKey() throws(SyntaxError) -> JSONKey {
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { throw error("expected a key") }
        let start = offset + 1
        // The opening quote was read from it, so the buffer has a base.
        let index = JSONByteScan.nextQuoteOrBackslash(bytes.baseAddress!, from: start, end: bytes.count)
        guard index < bytes.count else { throw error("unterminated key") }
        if bytes[index] == UInt8(ascii: "\"") {
            offset = index + 1
            return JSONKey(bytes: UnsafeBufferPointer(rebasing: bytes[start..<index]), decoded: nil)
        }
        // A backslash: rare in API objects (label keys are restricted); decode it.
        guard let decoded = try readString() else { throw error("expected a key") }
        return JSONKey(bytes: UnsafeBufferPointer(start: nil, count: 0), decoded: decoded)
    }

    private mutating func skipString() throws(SyntaxError) {
        guard let base = bytes.baseAddress else { throw error("unterminated string") }
        let close = Self.endOfString(base, from: offset + 1, end: bytes.count)
        guard close < bytes.count else {
            offset = bytes.count
            throw error("unterminated string")
        }
        offset = close + 1
    }

    private mutating func readNumberBytes() throws(SyntaxError) -> UnsafeBufferPointer<UInt8> {
        guard try peek() == .number else { throw error("expected a number") }
        let start = offset
        if consume(UInt8(ascii: "-")) {}
        var digits = 0
        while offset < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[offset]) {
            offset += 1
            digits += 1
        }
        guard digits > 0 else { throw error("bad number") }
        if consume(UInt8(ascii: ".")) {
            var fraction = 0
            while offset < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[offset]) {
                offset += 1
                fraction += 1
            }
            guard fraction > 0 else { throw error("bad number") }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
            offset += 1
            if !consume(UInt8(ascii: "+")) { _ = consume(UInt8(ascii: "-")) }
            var exponent = 0
            while offset < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[offset]) {
                offset += 1
                exponent += 1
            }
            guard exponent > 0 else { throw error("bad number") }
        }
        return UnsafeBufferPointer(rebasing: bytes[start..<offset])
    }

    private mutating func readEscapedString(from start: Int) throws(SyntaxError) -> String {
        // Unescaped into UTF-8 bytes, decoded once (which repairs invalid UTF-8).
        var utf8: [UInt8] = []
        utf8.reserveCapacity(offset - start + 16)
        var plain = start
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                utf8.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plain..<offset]))
                offset += 1
                return String(decoding: utf8, as: UTF8.self)
            }
            guard byte == UInt8(ascii: "\\") else {
                guard byte >= 0x20 else { throw error("control character in a string") }
                offset += 1
                continue
            }
            utf8.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plain..<offset]))
            offset += 1
            guard offset < bytes.count else { break }
            let escaped = bytes[offset]
            offset += 1
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escaped)
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                var unit = try readHex4()
                if (0xD800..<0xDC00).contains(unit), matches("\\u") {
                    let save = offset
                    offset += 2
                    let low = try readHex4()
                    if (0xDC00..<0xE000).contains(low) {
                        unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        offset = save
                    }
                }
                utf8.append(contentsOf: String(Unicode.Scalar(unit) ?? "\u{FFFD}").utf8)
            default:
                throw error("bad escape")
            }
            plain = offset
        }
        throw error("unterminated string")
    }

    private mutating func readHex4() throws(SyntaxError) -> UInt32 {
        guard offset + 4 <= bytes.count else { throw error("bad \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("bad \\u escape")
            }
            value = value << 4 | UInt32(digit)
            offset += 1
        }
        return value
    }

    private func error(_ reason: String) -> SyntaxError {
        SyntaxError(offset: offset, reason: reason)
    }
}

/// An object key, compared without allocating.
///
/// The comparisons are `@inlinable`: each kind's `decodeMember` (in another module)
/// switches over a key with a case per field, and a call per case was most of the
/// cost of matching; inlined, a case whose length differs is one compare.
public struct JSONKey {
    @usableFromInline let bytes: UnsafeBufferPointer<UInt8>
    /// Set only for keys that contained escapes.
    @usableFromInline let decoded: String?

    init(bytes: UnsafeBufferPointer<UInt8>, decoded: String?) {
        self.bytes = bytes
        self.decoded = decoded
    }

    /// The length test in line (the literal's length is a constant there), the bytes
    /// compared out of line only when it passes.
    @inlinable @inline(__always)
    public static func == (key: JSONKey, literal: StaticString) -> Bool {
        (key.bytes.count == literal.utf8CodeUnitCount || key.decoded != nil) && key.matches(literal)
    }

    @usableFromInline
    func matches(_ literal: StaticString) -> Bool {
        if let decoded { return decoded == literal.description }
        let count = literal.utf8CodeUnitCount
        guard bytes.count == count else { return false }
        guard count > 0, let base = bytes.baseAddress else { return true }
        return ByteWords.equal(base, literal.utf8Start, count: count)
    }

    public var string: String { decoded ?? String(decoding: bytes, as: UTF8.self) }

    /// Lets a `switch` over a key use string literals: `case "metadata":`.
    @inlinable
    public static func ~= (literal: StaticString, key: JSONKey) -> Bool {
        key == literal
    }
}
