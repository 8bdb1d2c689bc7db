import TelemetryModel

/// Word-at-a-time searches over a body's bytes, for the long runs the reader skips (HELP
/// text, comments): eight bytes per step instead of one.
enum ByteScan {
    private static var tops: UInt64 { 0x8080_8080_8080_8080 }

    /// The index of the first `c` in `p[start..<end]`, or `end`.
    static func firstIndex(of c: UInt8, _ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        ByteWords.firstIndex(p, from: start, to: end, stops: { ByteWords.matches($0, c) }, isStop: { $0 == c })
    }

    /// Whether `p[start..<end]` is all ASCII.
    static func isASCII(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var i = start
        var high: UInt64 = 0
        while i + 8 <= end {
            high |= ByteWords.load(p, i)
            i += 8
        }
        while i < end {
            high |= UInt64(p[i])
            i += 1
        }
        return high & tops == 0
    }
}
