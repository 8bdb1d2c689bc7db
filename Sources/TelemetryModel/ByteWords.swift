#if canImport(Glibc)
import Glibc
#endif

/// Eight bytes at a time: the word test behind the byte searches on hot paths (label
/// values to escape, JSON strings, an exposition's long lines, kernel files' fields),
/// and the comparison of short byte strings (JSON keys, interned label values), written
/// once.
public enum ByteWords {
    /// Whether the `count` bytes at `a` and at `b` are the same. Most strings compared
    /// on hot paths (field names, label values) are short: up to 16 bytes they are
    /// compared as two overlapping words in line, not by a `memcmp` call.
    @inlinable @inline(__always)
    public static func equal(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, count: Int) -> Bool {
        func same<Word: FixedWidthInteger>(_: Word.Type, at offset: Int) -> Bool {
            a.loadUnaligned(fromByteOffset: offset, as: Word.self) == b.loadUnaligned(fromByteOffset: offset, as: Word.self)
        }
        switch count {
        case 8...16: return same(UInt64.self, at: 0) && same(UInt64.self, at: count - 8)
        case 4..<8: return same(UInt32.self, at: 0) && same(UInt32.self, at: count - 4)
        case ...0: return true
        default: return memcmp(a, b, count) == 0
        }
    }

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

    /// The high bit of each byte of `word` below `limit` (at most 0x80), exact for the
    /// lowest as `matches` is: a borrow marks only bytes after a true one.
    @inlinable @inline(__always)
    public static func below(_ word: UInt64, _ limit: UInt8) -> UInt64 {
        (word &- 0x0101_0101_0101_0101 &* UInt64(limit)) & ~word & 0x8080_8080_8080_8080
    }

    /// The index of the first byte in `base[start..<end]` that `isStop` accepts, or
    /// `end`: eight bytes at a time, `stops` marking a word's stop bytes as `matches`
    /// does (the lowest set bit exact). A range of eight bytes or more ends with one
    /// word overlapping the last one looked at (those bytes held no stop, so its
    /// lowest mark is still exact): the values searched are mostly short, and a byte
    /// loop over their tails cost more than the words. A shorter range goes byte by
    /// byte. The two tests must agree; callers pass `matches` of the same bytes.
    @inlinable @inline(__always)
    public static func firstIndex(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int,
                                  stops: (UInt64) -> UInt64, isStop: (UInt8) -> Bool) -> Int {
        var index = start
        guard end - start >= 8 else {
            while index < end, !isStop(base[index]) { index += 1 }
            return index
        }
        while end - index >= 8 {
            let found = stops(load(base, index))
            if found != 0 { return index + found.trailingZeroBitCount / 8 }
            index += 8
        }
        guard index < end else { return end }
        let found = stops(load(base, end - 8))
        return found != 0 ? end - 8 + found.trailingZeroBitCount / 8 : end
    }
}
