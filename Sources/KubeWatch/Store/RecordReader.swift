import TelemetryModel

/// Reads a record written by `RecordWriter`, in the same order. Records are the
/// store's own bytes, read under its lock: the `UnsafeBufferPointer` is valid only
/// inside the store call that handed it out.
///
/// The reads a render makes per sample are `@inlinable`: a render lives in another
/// module (each kind's), and a call per varint and per string was a sixth of a
/// 100 000-pod scrape.
public struct RecordReader {
    public let bytes: UnsafeBufferPointer<UInt8>
    public var offset: Int { position }
    @usableFromInline var position = 0
    /// Unmanaged: a reader lives only inside the store call that made it, while the
    /// store holds the table; a render reads a table string per label of every sample,
    /// and a counted (or `unowned`) reference would cost a retain and release each.
    @usableFromInline let table: Unmanaged<StringTable>

    init(bytes: UnsafeBufferPointer<UInt8>, table: StringTable) {
        self.bytes = bytes
        self.table = Unmanaged.passUnretained(table)
    }

    /// A reader of the same record positioned at `offset` (to read a part again).
    public init(rebasing other: RecordReader, at offset: Int) {
        bytes = other.bytes
        table = other.table
        position = min(max(0, offset), bytes.count)
    }

    @inlinable
    public var isAtEnd: Bool { position >= bytes.count }

    @inlinable @inline(__always)
    func withTableString(_ id: UInt32, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        table._withUnsafeGuaranteedRef { $0.withUTF8(id, body) }
    }

    @inlinable
    public mutating func unsigned() -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            if shift < 64 { value |= UInt64(byte & 0x7F) << shift }
            if byte < 0x80 { return value }
            shift += 7
        }
        return value
    }

    /// A count of items that follow, each at least one byte: clamped to the bytes
    /// left, so that a damaged record cannot make a walk run on (or trap on a
    /// negative count).
    @inlinable
    public mutating func count() -> Int {
        let raw = unsigned()
        return Int(min(raw, UInt64(bytes.count - position)))
    }

    @inlinable
    public mutating func signed() -> Int64 {
        let raw = unsigned()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    @inlinable
    public mutating func double() -> Double {
        guard position < bytes.count else { return 0 }
        let tag = bytes[position]
        position += 1
        switch tag {
        case 0: return 0
        case 1: return 1
        case 2: return Double(signed())
        default:
            guard position + 8 <= bytes.count else { return 0 }
            var bits: UInt64 = 0
            for index in 0..<8 { bits |= UInt64(bytes[position + index]) << (8 * UInt64(index)) }
            position += 8
            return Double(bitPattern: bits)
        }
    }

    /// Moves to `offset` in the record (to read a part again).
    @inlinable
    public mutating func seek(to offset: Int) {
        position = min(max(0, offset), bytes.count)
    }

    /// Skips `count` bytes (a part whose length was written before it).
    @inlinable
    public mutating func skip(_ count: Int) {
        position = min(position + max(0, min(count, bytes.count)), bytes.count)
    }

    /// Appends a string's UTF-8 to `out`.
    public mutating func string(into out: inout [UInt8]) {
        string(head: unsigned(), into: &out)
    }

    /// The rest of a string whose first varint was `head`.
    private mutating func string(head: UInt64, into out: inout [UInt8]) {
        switch head & 3 {
        case 0:
            withTableString(UInt32(truncatingIfNeeded: head >> 2)) { out.append(contentsOf: $0) }
        case 1:
            out.append(contentsOf: inlineBytes(head: head))
        case 2:
            let end = min(position + 16, bytes.count)
            IdentifierPacking.appendUUIDText(UnsafeBufferPointer(rebasing: bytes[position..<end]), to: &out)
            position = end
        default:
            withTableString(UInt32(truncatingIfNeeded: head >> 2)) { out.append(contentsOf: $0) }
            let end = min(position + 32, bytes.count)
            IdentifierPacking.appendHexText(UnsafeBufferPointer(rebasing: bytes[position..<end]), to: &out)
            position = end
        }
    }

    /// An inline string's bytes in place, whose head (its length) was just read; the
    /// length is clamped to the record.
    @inlinable
    mutating func inlineBytes(head: UInt64) -> UnsafeBufferPointer<UInt8> {
        let count = Int(truncatingIfNeeded: head >> 2)
        let end = position + min(max(0, count), bytes.count - position)
        defer { position = end }
        return UnsafeBufferPointer(rebasing: bytes[position..<end])
    }

    /// Calls `body` with a string's UTF-8, without copying it where it can be read in
    /// place (a table string, an inline one); packed identifiers are spelled out in a
    /// stack buffer.
    @inlinable
    public mutating func withString(_ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        let head = unsigned()
        switch head & 3 {
        case 0:
            return withTableString(UInt32(truncatingIfNeeded: head >> 2), body)
        case 1:
            return body(inlineBytes(head: head))
        default:
            withPackedString(head: head, body)
        }
    }

    /// Appends a string to `labels` as a sample's label value without copying it where
    /// it can be read in place: a table or inline string is borrowed (valid while the
    /// store call that made this reader lasts, which is as long as a render may hold
    /// it), a packed UUID is spelled straight into the labels' buffer. Table strings
    /// say whether they are plain (nothing to escape), a UUID is; an inline string or
    /// a container ID is left for the writer to look at.
    @inlinable
    public mutating func appendLabelValue(to labels: inout SampleLabels) {
        let head = unsigned()
        switch head & 3 {
        case 0:
            table._withUnsafeGuaranteedRef {
                $0.withUTF8(UInt32(truncatingIfNeeded: head >> 2)) { labels.appendValue(borrowing: $0, plain: $1) }
            }
        case 1:
            labels.appendValue(borrowing: inlineBytes(head: head), plain: false)
        default:
            appendPackedLabelValue(head: head, to: &labels)
        }
    }

    /// `appendLabelValue` for a packed UUID or container ID (kept out of line).
    @usableFromInline
    mutating func appendPackedLabelValue(head: UInt64, to labels: inout SampleLabels) {
        guard head & 3 == 2 else { return withPackedString(head: head) { labels.appendValue($0, plain: false) } }
        let end = min(position + 16, bytes.count)
        let packed = UnsafeBufferPointer(rebasing: bytes[position..<end])
        position = end
        labels.appendValue(writing: 36, plain: true) { text in
            guard packed.count == 16 else { return 0 }
            IdentifierPacking.writeUUIDText(packed, to: UnsafeMutableBufferPointer(start: text, count: 36))
            return 36
        }
    }

    /// `withString` for a packed UUID or container ID (kept out of line).
    @usableFromInline
    mutating func withPackedString(head: UInt64, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        if head & 3 == 2 {
            let end = min(position + 16, bytes.count)
            let packed = UnsafeBufferPointer(rebasing: bytes[position..<end])
            position = end
            guard packed.count == 16 else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 36) { text in
                IdentifierPacking.writeUUIDText(packed, to: text)
                return body(UnsafeBufferPointer(text))
            }
        }
        let end = min(position + 32, bytes.count)
        let packed = UnsafeBufferPointer(rebasing: bytes[position..<end])
        position = end
        return withTableString(UInt32(truncatingIfNeeded: head >> 2)) { scheme in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: scheme.count + 2 * packed.count) { text in
                _ = text.initialize(from: scheme)
                IdentifierPacking.writeHexText(packed, to: UnsafeMutableBufferPointer(rebasing: text[scheme.count...]))
                return body(UnsafeBufferPointer(text))
            }
        }
    }

    public mutating func string() -> String {
        var utf8: [UInt8] = []
        string(into: &utf8)
        return String(decoding: utf8, as: UTF8.self)
    }

    /// Skips a string, giving back its table reference when `release` is set.
    @inlinable
    public mutating func skipString(releasing release: Bool = false) {
        let head = unsigned()
        switch head & 3 {
        case 0:
            if release { table._withUnsafeGuaranteedRef { $0.release(UInt32(truncatingIfNeeded: head >> 2)) } }
        case 1:
            skip(Int(truncatingIfNeeded: head >> 2))
        case 2:
            skip(16)
        default:
            if release { table._withUnsafeGuaranteedRef { $0.release(UInt32(truncatingIfNeeded: head >> 2)) } }
            skip(32)
        }
    }
}
