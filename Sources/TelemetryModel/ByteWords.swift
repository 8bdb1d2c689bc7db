/// Eight bytes at a time: the word test behind the byte searches on hot paths (label
/// values to escape, JSON strings, an exposition's long lines), written once.
public enum ByteWords {
    /// The eight bytes at `base + offset`, the first one lowest on any machine.
    @inlinable @inline(__always)
    public static func load(_ base: UnsafePointer<UInt8>, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self))
    }

    /// The high bit of each byte of `word` equal to `byte`, and possibly of bytes after
    /// the first such byte (a borrow), never before it: the lowest set bit is exact, so
    /// `trailingZeroBitCount / 8` is the first match's position.
    @inlinable @inline(__always)
    public static func matches(_ word: UInt64, _ byte: UInt8) -> UInt64 {
        let x = word ^ (0x0101_0101_0101_0101 &* UInt64(byte))
        return (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
    }
}
