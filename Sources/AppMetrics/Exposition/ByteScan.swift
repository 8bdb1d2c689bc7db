/// Word-at-a-time searches over a body's bytes, for the long runs the reader skips (HELP
/// text, comments): eight bytes per step instead of one.
enum ByteScan {
    private static var ones: UInt64 { 0x0101_0101_0101_0101 }
    private static var tops: UInt64 { 0x8080_8080_8080_8080 }

    /// The high bit of each byte of `w` equal to `c`, and possibly of bytes after the
    /// first such byte (a borrow), never before it: the lowest set bit is exact.
    @inline(__always) static func matches(_ w: UInt64, _ c: UInt8) -> UInt64 {
        let x = w ^ (ones &* UInt64(c))
        return (x &- ones) & ~x & tops
    }

    @inline(__always) static func word(_ p: UnsafePointer<UInt8>, _ at: Int) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(p + at).loadUnaligned(as: UInt64.self))
    }

    /// The index of the first `c` in `p[start..<end]`, or `end`.
    static func firstIndex(of c: UInt8, _ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        var i = start
        while i + 8 <= end {
            let m = matches(word(p, i), c)
            if m != 0 { return i + m.trailingZeroBitCount >> 3 }
            i += 8
        }
        while i < end && p[i] != c { i += 1 }
        return i
    }

    /// Whether `p[start..<end]` is all ASCII.
    static func isASCII(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var i = start
        var high: UInt64 = 0
        while i + 8 <= end {
            high |= word(p, i)
            i += 8
        }
        while i < end {
            high |= UInt64(p[i])
            i += 1
        }
        return high & tops == 0
    }
}
