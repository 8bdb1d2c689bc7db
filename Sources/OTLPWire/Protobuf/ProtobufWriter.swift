/// Writes protobuf wire format into a buffer whose exact size was computed first
/// (see `ProtobufSize`): no growth, no copies, no intermediate message objects.
struct ProtobufWriter: ~Copyable {
    private let base: UnsafeMutablePointer<UInt8>
    private(set) var position = 0

    init(_ base: UnsafeMutablePointer<UInt8>) {
        self.base = base
    }

    /// Builds a message of exactly `size` bytes.
    static func build(size: Int, _ body: (inout ProtobufWriter) -> Void) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var writer = ProtobufWriter(buffer.baseAddress!)
            body(&writer)
            precondition(writer.position == size, "protobuf size \(size) computed, \(writer.position) written")
            count = size
        }
    }

    @inline(__always)
    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            base[position] = UInt8(truncatingIfNeeded: value) | 0x80
            position += 1
            value >>= 7
        }
        base[position] = UInt8(value)
        position += 1
    }

    @inline(__always)
    mutating func tag(_ field: Int, _ wireType: ProtobufWireType) {
        varint(UInt64(field << 3 | wireType.rawValue))
    }

    @inline(__always)
    mutating func fixed64(_ field: Int, _ value: UInt64) {
        tag(field, .fixed64)
        var little = value.littleEndian
        withUnsafeBytes(of: &little) { (base + position).update(from: $0.bindMemory(to: UInt8.self).baseAddress!, count: 8) }
        position += 8
    }

    @inline(__always)
    mutating func double(_ field: Int, _ value: Double) {
        fixed64(field, value.bitPattern)
    }

    mutating func string(_ field: Int, _ value: String) {
        tag(field, .lengthDelimited)
        varint(UInt64(value.utf8.count))
        raw(value)
    }

    /// The tag and length of an embedded message; its content follows.
    @inline(__always)
    mutating func messageHeader(_ field: Int, contentSize: Int) {
        tag(field, .lengthDelimited)
        varint(UInt64(contentSize))
    }

    private mutating func raw(_ value: String) {
        guard !value.isEmpty else { return }
        var value = value
        value.withUTF8 { utf8 in
            (base + position).update(from: utf8.baseAddress!, count: utf8.count)
            position += utf8.count
        }
    }
}

enum ProtobufWireType: Int {
    case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
}

/// Encoded sizes, matching what ProtobufWriter writes.
enum ProtobufSize {
    @inline(__always)
    static func varint(_ value: UInt64) -> Int {
        // 1 byte per 7 bits, at least 1.
        (64 - (value | 1).leadingZeroBitCount + 6) / 7
    }

    /// A field with a number below 16 has a one-byte tag; Telegen uses no others.
    @inline(__always)
    static func tag(_ field: Int) -> Int { field < 16 ? 1 : 2 }

    @inline(__always)
    static func string(_ field: Int, _ value: String) -> Int {
        let count = value.utf8.count
        return tag(field) + varint(UInt64(count)) + count
    }

    @inline(__always)
    static func message(_ field: Int, contentSize: Int) -> Int {
        tag(field) + varint(UInt64(contentSize)) + contentSize
    }

    static let fixed64Field = 9  // one-byte tag + 8 bytes
}
