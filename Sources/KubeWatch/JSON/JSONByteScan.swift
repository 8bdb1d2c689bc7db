import TelemetryModel

/// Finds the bytes that matter inside a JSON string eight at a time: most of an API
/// object's bytes are string contents, and a byte loop over them was a quarter of a
/// list's CPU.
enum JSONByteScan {
    /// The index of the first `"` or `\` at or after `start`, or `end` when there is none.
    @inline(__always)
    static func nextQuoteOrBackslash(_ base: UnsafePointer<UInt8>, from start: Int, end: Int) -> Int {
        ByteWords.firstIndex(base, from: start, to: end,
                             stops: { ByteWords.matches($0, UInt8(ascii: "\"")) | ByteWords.matches($0, UInt8(ascii: "\\")) },
                             isStop: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") })
    }
}
