/// Finds the bytes that matter inside a JSON string eight at a time: most of an API
/// object's bytes are string contents, and a byte loop over them was a quarter of a
/// list's CPU.
enum JSONByteScan {
    /// The index of the first `"` or `\` at or after `start`, or `end` when there is none.
    @inline(__always)
    static func nextQuoteOrBackslash(_ base: UnsafePointer<UInt8>, from start: Int, end: Int) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let quotes = ones &* UInt64(UInt8(ascii: "\"")), backslashes = ones &* UInt64(UInt8(ascii: "\\"))
        var index = start
        while index + 8 <= end {
            // Little-endian whatever the machine, so that the lowest byte is the first.
            let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
            let q = word ^ quotes, b = word ^ backslashes
            // A zero byte of q or b is a match; the lowest flagged byte is exact (a
            // borrow can only flag bytes above a real match).
            let found = ((q &- ones) & ~q | (b &- ones) & ~b) & highs
            if found != 0 { return index + found.trailingZeroBitCount / 8 }
            index += 8
        }
        while index < end {
            let byte = base[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return index }
            index += 1
        }
        return end
    }
}
