/// Reads a record written by `RecordWriter`, in the same order. Records are the
/// store's own bytes, read under its lock: the `UnsafeBufferPointer` is valid only
/// inside the store call that handed it out.
public struct RecordReader {
    public let bytes: UnsafeBufferPointer<UInt8>
    public private(set) var offset = 0
    /// Unmanaged: a reader lives only inside the store call that made it, while the
    /// store holds the table; a render reads a table string per label of every sample,
    /// and a counted (or `unowned`) reference would cost a retain and release each.
    private let table: Unmanaged<StringTable>

    init(bytes: UnsafeBufferPointer<UInt8>, table: StringTable) {
        self.bytes = bytes
        self.table = Unmanaged.passUnretained(table)
    }

    /// A reader of the same record positioned at `offset` (to read a part again).
    public init(rebasing other: RecordReader, at offset: Int) {
        bytes = other.bytes
        table = other.table
        self.offset = offset
    }

    public var isAtEnd: Bool { offset >= bytes.count }

    @inline(__always)
    private func withTableString(_ id: UInt32, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        table._withUnsafeGuaranteedRef { $0.withUTF8(id, body) }
    }

    public mutating func unsigned() -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            if shift < 64 { value |= UInt64(byte & 0x7F) << shift }
            if byte < 0x80 { return value }
            shift += 7
        }
        return value
    }

    public mutating func signed() -> Int64 {
        let raw = unsigned()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    public mutating func double() -> Double {
        guard offset < bytes.count else { return 0 }
        let tag = bytes[offset]
        offset += 1
        switch tag {
        case 0: return 0
        case 1: return 1
        case 2: return Double(signed())
        default:
            guard offset + 8 <= bytes.count else { return 0 }
            var bits: UInt64 = 0
            for index in 0..<8 { bits |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
            offset += 8
            return Double(bitPattern: bits)
        }
    }

    /// Moves to `offset` in the record (to read a part again).
    public mutating func seek(to offset: Int) {
        self.offset = min(max(0, offset), bytes.count)
    }

    /// Skips `count` bytes (a part whose length was written before it).
    public mutating func skip(_ count: Int) {
        offset = min(offset + count, bytes.count)
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
            let count = Int(truncatingIfNeeded: head >> 2)
            let end = min(offset + count, bytes.count)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[offset..<end]))
            offset = end
        case 2:
            let end = min(offset + 16, bytes.count)
            IdentifierPacking.appendUUIDText(UnsafeBufferPointer(rebasing: bytes[offset..<end]), to: &out)
            offset = end
        default:
            withTableString(UInt32(truncatingIfNeeded: head >> 2)) { out.append(contentsOf: $0) }
            let end = min(offset + 32, bytes.count)
            IdentifierPacking.appendHexText(UnsafeBufferPointer(rebasing: bytes[offset..<end]), to: &out)
            offset = end
        }
    }

    /// Calls `body` with a string's UTF-8, without copying it where it can be read in
    /// place (a table string, an inline one); packed identifiers are spelled out in a
    /// stack buffer.
    public mutating func withString(_ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        let head = unsigned()
        switch head & 3 {
        case 0:
            return withTableString(UInt32(truncatingIfNeeded: head >> 2), body)
        case 1:
            let count = Int(truncatingIfNeeded: head >> 2)
            let end = min(offset + count, bytes.count)
            defer { offset = end }
            return body(UnsafeBufferPointer(rebasing: bytes[offset..<end]))
        case 2:
            let end = min(offset + 16, bytes.count)
            let packed = UnsafeBufferPointer(rebasing: bytes[offset..<end])
            offset = end
            guard packed.count == 16 else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 36) { text in
                IdentifierPacking.writeUUIDText(packed, to: text)
                return body(UnsafeBufferPointer(text))
            }
        default:
            let end = min(offset + 32, bytes.count)
            let packed = UnsafeBufferPointer(rebasing: bytes[offset..<end])
            offset = end
            return withTableString(UInt32(truncatingIfNeeded: head >> 2)) { scheme in
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: scheme.count + 2 * packed.count) { text in
                    _ = text.initialize(from: scheme)
                    IdentifierPacking.writeHexText(packed, to: UnsafeMutableBufferPointer(rebasing: text[scheme.count...]))
                    return body(UnsafeBufferPointer(text))
                }
            }
        }
    }

    public mutating func string() -> String {
        var utf8: [UInt8] = []
        string(into: &utf8)
        return String(decoding: utf8, as: UTF8.self)
    }

    /// Skips a string, giving back its table reference when `release` is set.
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
