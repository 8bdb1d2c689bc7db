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

    /// An identifier unique to one object, packed when it has a known shape: a UID
    /// (8-4-4-4-12 lower-case hex) as 16 bytes, a container ID (`containerd://` and 64
    /// lower-case hex) as its scheme's table ID and 32 bytes; anything else inline.
    mutating func identifier(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            if utf8.count == 36, let packed = IdentifierPacking.uuid(utf8) {
                bytes.append(1)
                bytes.append(contentsOf: packed)
            } else if utf8.count > 67, let separator = IdentifierPacking.schemeEnd(utf8), utf8.count - separator == 64,
                      let packed = IdentifierPacking.hex(UnsafeBufferPointer(rebasing: utf8[separator...])) {
                bytes.append(2)
                unsigned(UInt64(table.retain(String(decoding: UnsafeBufferPointer(rebasing: utf8[..<separator]), as: UTF8.self))))
                bytes.append(contentsOf: packed)
            } else {
                bytes.append(0)
                unsigned(UInt64(utf8.count))
                bytes.append(contentsOf: utf8)
            }
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
    /// A record: a slice of its store's arena (indices are the arena's).
    private let bytes: ArraySlice<UInt8>
    private var offset: Int
    private let table: StringTable
    /// `release` mode: walk the record only to give back its table references.
    private(set) var sharedIDs: [UInt32] = []
    private let collectingIDs: Bool

    init(bytes: ArraySlice<UInt8>, table: StringTable, collectingIDs: Bool = false) {
        self.bytes = bytes
        offset = bytes.startIndex
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

    mutating func identifier() -> String {
        let kind = bytes[offset]
        offset += 1
        switch kind {
        case 1:
            defer { offset += 16 }
            return collectingIDs ? "" : IdentifierPacking.uuidString(bytes[offset..<offset + 16])
        case 2:
            let scheme = shared()
            defer { offset += 32 }
            return collectingIDs ? "" : scheme + IdentifierPacking.hexString(bytes[offset..<offset + 32])
        default:
            return unique()
        }
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

/// Packing of the identifiers API objects are full of: UUIDs and 64-hex container IDs.
enum IdentifierPacking {
    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// Lower-case hex of even length as bytes; nil for anything else (upper case
    /// would not come back the same).
    static func hex(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard text.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(text.count / 2)
        var index = 0
        while index < text.count {
            guard let high = nibble(text[index]), let low = nibble(text[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    static func uuid(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard text[8] == UInt8(ascii: "-"), text[13] == UInt8(ascii: "-"), text[18] == UInt8(ascii: "-"), text[23] == UInt8(ascii: "-") else { return nil }
        var digits: [UInt8] = []
        digits.reserveCapacity(32)
        for (index, byte) in text.enumerated() where ![8, 13, 18, 23].contains(index) { digits.append(byte) }
        return digits.withUnsafeBufferPointer { hex($0) }
    }

    /// The index after `://`, if the text has one.
    static func schemeEnd(_ text: UnsafeBufferPointer<UInt8>) -> Int? {
        guard text.count > 3 else { return nil }
        for index in 0..<(text.count - 2) where text[index] == UInt8(ascii: ":") && text[index + 1] == UInt8(ascii: "/") && text[index + 2] == UInt8(ascii: "/") {
            return index + 3
        }
        return nil
    }

    private static let digits = Array("0123456789abcdef".utf8)

    static func hexString(_ bytes: ArraySlice<UInt8>) -> String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            utf8.append(digits[Int(byte >> 4)])
            utf8.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    static func uuidString(_ bytes: ArraySlice<UInt8>) -> String {
        let hex = Array(hexString(bytes).utf8)
        var utf8: [UInt8] = []
        utf8.reserveCapacity(36)
        for (index, byte) in hex.enumerated() {
            if [8, 12, 16, 20].contains(index) { utf8.append(UInt8(ascii: "-")) }
            utf8.append(byte)
        }
        return String(decoding: utf8, as: UTF8.self)
    }
}
