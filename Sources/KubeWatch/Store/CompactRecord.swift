/// Objects kept as compact byte records: integers as varints, repeated strings as
/// `StringTable` IDs, strings unique to one object (names, UIDs, container IDs, IPs)
/// inline. A record is one heap allocation, a few hundred bytes for a pod, where the
/// decoded value is thousands; generators decode it again for each render.
public protocol CompactRecordCodable: Sendable {
    func encode(to writer: inout CompactWriter)
    init(from reader: inout CompactReader)
}

public struct CompactWriter {
    private(set) var bytes: [UInt8] = []
    private let table: StringTable

    init(table: StringTable) {
        self.table = table
        bytes.reserveCapacity(512)
    }

    mutating func unsigned(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func int(_ value: Int64) {
        unsigned(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func bool(_ value: Bool) {
        bytes.append(value ? 1 : 0)
    }

    mutating func optionalInt(_ value: Int64?) {
        bool(value != nil)
        if let value { int(value) }
    }

    /// A string many objects share: by table ID.
    mutating func shared(_ value: String) {
        unsigned(UInt64(table.retain(value)))
    }

    mutating func optionalShared(_ value: String?) {
        bool(value != nil)
        if let value { shared(value) }
    }

    /// A string of this object only: inline UTF-8.
    mutating func unique(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            unsigned(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func quantity(_ value: Quantity) {
        // Significands of real quantities fit 64 bits; a larger one is written in two halves.
        if let small = Int64(exactly: value.significand) {
            bool(false)
            int(small)
        } else {
            bool(true)
            int(Int64(truncatingIfNeeded: value.significand >> 64))
            unsigned(UInt64(truncatingIfNeeded: value.significand))
        }
        int(Int64(value.exponent))
    }

    mutating func array<Element>(_ elements: [Element], _ write: (inout CompactWriter, Element) -> Void) {
        unsigned(UInt64(elements.count))
        for element in elements { write(&self, element) }
    }
}

public struct CompactReader {
    private let bytes: [UInt8]
    private var offset = 0
    private let table: StringTable
    /// `release` mode: walk the record only to give back its table references.
    private(set) var sharedIDs: [UInt32] = []
    private let collectingIDs: Bool

    init(bytes: [UInt8], table: StringTable, collectingIDs: Bool = false) {
        self.bytes = bytes
        self.table = table
        self.collectingIDs = collectingIDs
    }

    mutating func unsigned() -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = bytes[offset]
            offset += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    mutating func int() -> Int64 {
        let raw = unsigned()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    mutating func bool() -> Bool {
        defer { offset += 1 }
        return bytes[offset] != 0
    }

    mutating func optionalInt() -> Int64? {
        bool() ? int() : nil
    }

    mutating func shared() -> String {
        let id = UInt32(unsigned())
        if collectingIDs {
            sharedIDs.append(id)
            return ""
        }
        return table[id]
    }

    mutating func optionalShared() -> String? {
        bool() ? shared() : nil
    }

    mutating func unique() -> String {
        let count = Int(unsigned())
        defer { offset += count }
        if collectingIDs { return "" }
        return bytes[offset..<offset + count].withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
    }

    mutating func quantity() -> Quantity {
        let significand: Int128
        if bool() {
            let high = int()
            significand = Int128(high) << 64 | Int128(unsigned())
        } else {
            significand = Int128(int())
        }
        return Quantity(significand: significand, exponent: Int(int()))
    }

    mutating func array<Element>(_ read: (inout CompactReader) -> Element) -> [Element] {
        let count = Int(unsigned())
        var elements: [Element] = []
        elements.reserveCapacity(count)
        for _ in 0..<count { elements.append(read(&self)) }
        return elements
    }
}
