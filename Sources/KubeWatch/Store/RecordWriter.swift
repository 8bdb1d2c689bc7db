import TelemetryModel

/// Writes one record of a `RecordStore`: varints, numbers, and strings either by ID
/// into the store's `StringTable` (strings many records repeat) or inline (strings of
/// one object), with UUIDs and `scheme://`+64-hex container IDs packed to 16 and 32
/// bytes. `RecordReader` reads the same encoding back.
///
/// A string is one varint whose low two bits say how it is held: 0 a table ID (the
/// rest of the varint), 1 inline (the rest is the length; the bytes follow), 2 a
/// packed UUID (16 bytes follow), 3 a packed container ID (the rest is the scheme's
/// table ID; 32 bytes follow).
///
/// The bytes are a `PlainBuffer`, not an array: a record is written a byte or two at a
/// time (a varint, a sample value), and each append to an array asked the runtime
/// whether the array was uniquely referenced, a call per byte and a tenth of encoding a
/// pod. That makes the writer not copyable.
public struct RecordWriter: ~Copyable {
    private var buffer: PlainBuffer<UInt8>
    private let table: StringTable

    /// Room for most records at once: growing copies what was written.
    init(table: StringTable, capacity: Int = 1024) {
        self.table = table
        buffer = PlainBuffer(capacity: capacity)
    }

    /// Bytes written so far.
    public var count: Int { buffer.count }

    /// The bytes written, for the length of `body` (the writer's memory moves as it grows).
    public func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try buffer.withUnsafeBufferPointer(body)
    }

    /// Seven bits per byte, in as many bytes as the value needs (claimed at once).
    public mutating func unsigned(_ value: UInt64) {
        if value < 0x80 { return buffer.append(UInt8(value)) }
        let length = (64 - value.leadingZeroBitCount + 6) / 7
        let target = buffer.claim(length)
        var value = value
        for index in 0..<length - 1 {
            target[index] = UInt8(truncatingIfNeeded: value) | 0x80
            value >>= 7
        }
        target[length - 1] = UInt8(value)
    }

    public mutating func signed(_ value: Int64) {
        unsigned(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// A sample value: 0 and 1 in one byte, other whole numbers as varints, the rest
    /// (fractions, -0, NaN, infinities, huge values) as their 8 bytes.
    public mutating func double(_ value: Double) {
        if value == 0 && value.sign == .plus {
            buffer.append(0)
        } else if value == 1 {
            buffer.append(1)
        } else if value == value.rounded(), abs(value) < 9_007_199_254_740_992, !(value == 0) {
            buffer.append(2)
            signed(Int64(value))
        } else {
            buffer.append(3)
            UnsafeMutableRawPointer(buffer.claim(8)).storeBytes(of: value.bitPattern.littleEndian, as: UInt64.self)
        }
    }

    /// A string many records share: by table ID.
    public mutating func shared(_ value: String) {
        unsigned(UInt64(table.retain(value)) << 2)
    }

    /// A string many records share, given as its UTF-8 bytes.
    public mutating func shared(utf8: UnsafeBufferPointer<UInt8>) {
        unsigned(UInt64(table.retain(utf8: utf8)) << 2)
    }

    /// A string of this record only: inline, packed when it has a known shape. Read
    /// in place when contiguous (native strings are), without `withUTF8`'s copy.
    public mutating func unique(_ value: String) {
        if value.utf8.withContiguousStorageIfAvailable({ unique(utf8: $0) }) != nil { return }
        var value = value
        value.withUTF8 { unique(utf8: $0) }
    }

    /// A string of this record only, given as its UTF-8 bytes.
    public mutating func unique(utf8: UnsafeBufferPointer<UInt8>) {
        if IdentifierPacking.isUUID(utf8) {
            buffer.append(2)
            IdentifierPacking.packUUID(utf8, into: buffer.claim(16))
            return
        }
        if utf8.count > 67, let separator = IdentifierPacking.schemeEnd(utf8), utf8.count - separator == 64,
           IdentifierPacking.isHex(UnsafeBufferPointer(rebasing: utf8[separator...])) {
            unsigned(UInt64(table.retain(utf8: UnsafeBufferPointer(rebasing: utf8[..<separator]))) << 2 | 3)
            IdentifierPacking.packHex(UnsafeBufferPointer(rebasing: utf8[separator...]), into: buffer.claim(32))
            return
        }
        unsigned(UInt64(utf8.count) << 2 | 1)
        buffer.append(contentsOf: utf8)
    }

    /// Appends bytes written elsewhere with a writer of the same table (a nested part).
    public mutating func append(_ other: borrowing RecordWriter) {
        other.buffer.withUnsafeBufferPointer { buffer.append(contentsOf: $0) }
    }

    /// A writer for a part whose length must precede it.
    public func makePartWriter() -> RecordWriter {
        RecordWriter(table: table, capacity: 64)
    }

    /// Forgets what was written, keeping the memory.
    public mutating func removeAll() {
        buffer.removeAll()
    }
}
