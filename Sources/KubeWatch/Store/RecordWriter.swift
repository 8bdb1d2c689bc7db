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
/// The bytes are in memory the writer owns, not an array: a record is written a byte
/// or two at a time (a varint, a sample value), and each append to an array asked the
/// runtime whether the array was uniquely referenced, a call per byte and a tenth of
/// encoding a pod. Not copyable, so the memory has one owner and is freed once.
public struct RecordWriter: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Bytes written so far.
    public private(set) var count = 0
    private let table: StringTable

    /// Room for most records at once: growing copies what was written.
    init(table: StringTable, capacity: Int = 1024) {
        self.table = table
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        base.deallocate()
    }

    /// The bytes written, for the length of `body` (the writer's memory moves as it grows).
    public func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try body(UnsafeBufferPointer(start: base, count: count))
    }

    /// Room for `length` more bytes, returned as where they go; `count` already includes them.
    @inline(__always)
    private mutating func claim(_ length: Int) -> UnsafeMutablePointer<UInt8> {
        if capacity - count < length { grow(to: count + length) }
        let target = base + count
        count += length
        return target
    }

    private mutating func grow(to needed: Int) {
        let newCapacity = max(needed, capacity * 2)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.update(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }

    @inline(__always)
    private mutating func byte(_ value: UInt8) {
        claim(1).pointee = value
    }

    private mutating func bytes(_ source: UnsafeBufferPointer<UInt8>) {
        guard let start = source.baseAddress, source.count > 0 else { return }
        claim(source.count).update(from: start, count: source.count)
    }

    public mutating func unsigned(_ value: UInt64) {
        if value < 0x80 { return byte(UInt8(value)) }
        // Ten bytes at most for 64 bits.
        let target = claim(10)
        var value = value, written = 0
        while value >= 0x80 {
            target[written] = UInt8(truncatingIfNeeded: value) | 0x80
            value >>= 7
            written += 1
        }
        target[written] = UInt8(value)
        count -= 10 - (written + 1)
    }

    public mutating func signed(_ value: Int64) {
        unsigned(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// A sample value: 0 and 1 in one byte, other whole numbers as varints, the rest
    /// (fractions, -0, NaN, infinities, huge values) as their 8 bytes.
    public mutating func double(_ value: Double) {
        if value == 0 && value.sign == .plus {
            byte(0)
        } else if value == 1 {
            byte(1)
        } else if value == value.rounded(), abs(value) < 9_007_199_254_740_992, !(value == 0) {
            byte(2)
            signed(Int64(value))
        } else {
            byte(3)
            UnsafeMutableRawPointer(claim(8)).storeBytes(of: value.bitPattern.littleEndian, as: UInt64.self)
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
            byte(2)
            IdentifierPacking.packUUID(utf8, into: claim(16))
            return
        }
        if utf8.count > 67, let separator = IdentifierPacking.schemeEnd(utf8), utf8.count - separator == 64,
           IdentifierPacking.isHex(UnsafeBufferPointer(rebasing: utf8[separator...])) {
            unsigned(UInt64(table.retain(utf8: UnsafeBufferPointer(rebasing: utf8[..<separator]))) << 2 | 3)
            IdentifierPacking.packHex(UnsafeBufferPointer(rebasing: utf8[separator...]), into: claim(32))
            return
        }
        unsigned(UInt64(utf8.count) << 2 | 1)
        bytes(utf8)
    }

    /// Appends bytes written elsewhere with a writer of the same table (a nested part).
    public mutating func append(_ other: borrowing RecordWriter) {
        bytes(UnsafeBufferPointer(start: other.base, count: other.count))
    }

    /// A writer for a part whose length must precede it.
    public func makePartWriter() -> RecordWriter {
        RecordWriter(table: table, capacity: 64)
    }

    /// Forgets what was written, keeping the memory.
    public mutating func removeAll() {
        count = 0
    }
}
