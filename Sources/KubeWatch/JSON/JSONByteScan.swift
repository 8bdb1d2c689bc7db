import TelemetryModel

/// Finds the bytes that matter inside a JSON string eight at a time: most of an API
/// object's bytes are string contents, and a byte loop over them was a quarter of a
/// list's CPU.
enum JSONByteScan {
    /// The index of the first `"` or `\` at or after `start`, or `end` when there is none.
    @inline(__always)
    static func nextQuoteOrBackslash(_ base: UnsafePointer<UInt8>, from start: Int, end: Int) -> Int {
        var index = start
        while index + 8 <= end {
            let word = ByteWords.load(base, index)
            let found = ByteWords.matches(word, UInt8(ascii: "\"")) | ByteWords.matches(word, UInt8(ascii: "\\"))
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
