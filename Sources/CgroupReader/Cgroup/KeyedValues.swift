import TelemetryModel

/// Parsers for the small text formats of cgroup files.
enum KeyedValues {
    /// Calls `body` with the key and the value's bytes of each `key value` line of a
    /// flat-keyed file (`cpu.stat`, `memory.stat`, `memory.events`); the caller parses
    /// the values of the keys it wants (`Bytes.uint64`: nil when not a number). New keys
    /// in new kernels are harmless.
    ///
    /// One pass over the bytes, not a line split and then a field split, and no number
    /// parsed that nobody asked for: `memory.stat` has some forty lines, of which the
    /// families use six, and is read for every cgroup in every cycle.
    ///
    /// With `initials`, a line whose key starts with a lowercase letter not among them
    /// is stepped over without being split (`memory.stat`'s six wanted keys start with
    /// four letters, and half its lines with others).
    static func forEach(in buffer: UnsafeBufferPointer<UInt8>, initials: Initials = .any,
                        _ body: (_ key: Bytes, _ value: Bytes) -> Void) {
        guard let base = buffer.baseAddress else { return }
        let end = buffer.count
        var index = 0
        while index < end {
            while index < end, base[index].isSpaceOrTab { index += 1 }
            if index < end, !initials.admits(base[index]) {
                index = lineEnd(base, from: index, end: end) + 1
                continue
            }
            let keyStart = index
            index = fieldEnd(base, from: index, end: end)
            let keyEnd = index
            while index < end, base[index].isSpaceOrTab { index += 1 }
            let valueStart = index
            index = fieldEnd(base, from: index, end: end)
            let valueEnd = index
            // The rest of the line (further fields) is ignored.
            index = lineEnd(base, from: index, end: end) + 1
            if keyEnd > keyStart, valueEnd > valueStart { body(buffer[keyStart..<keyEnd], buffer[valueStart..<valueEnd]) }
        }
    }

    /// Where the field starting at `start` ends: its first space, tab or newline, or
    /// `end` (`memory.stat`'s keys run to twenty-odd bytes).
    @inline(__always)
    private static func fieldEnd(_ base: UnsafePointer<UInt8>, from start: Int, end: Int) -> Int {
        ByteWords.firstIndex(base, from: start, to: end,
                             stops: { ByteWords.matches($0, 0x20) | ByteWords.matches($0, 0x09) | ByteWords.matches($0, 0x0A) },
                             isStop: { $0 == 0x0A || $0.isSpaceOrTab })
    }

    /// Where the line holding `start` ends: its newline, or `end`.
    @inline(__always)
    private static func lineEnd(_ base: UnsafePointer<UInt8>, from start: Int, end: Int) -> Int {
        ByteWords.firstIndex(base, from: start, to: end, stops: { ByteWords.matches($0, 0x0A) }, isStop: { $0 == 0x0A })
    }

    /// The lowercase letters keys of interest start with (`forEach`'s filter); a key
    /// starting with any other byte is always taken.
    struct Initials {
        private let letters: UInt32

        static let any = Initials(letters: .max)

        private init(letters: UInt32) {
            self.letters = letters
        }

        init(_ initials: String) {
            letters = initials.utf8.reduce(0) { mask, byte in
                let letter = byte &- UInt8(ascii: "a")
                return letter < 26 ? mask | (1 << UInt32(letter)) : mask
            }
        }

        @inline(__always)
        func admits(_ byte: UInt8) -> Bool {
            let letter = byte &- UInt8(ascii: "a")
            return letter >= 26 || letters & (1 << UInt32(letter)) != 0
        }
    }

    /// A file holding one number, or `max` (returned as nil).
    static func single(_ buffer: UnsafeBufferPointer<UInt8>, file: String) throws -> UInt64? {
        let text = buffer[...].trimmingTrailing(0x0A).trimmingTrailing(0x20)
        if text.equals("max") { return nil }
        guard let value = text.uint64 else {
            throw ParseError(file: file, line: 1, reason: "expected a number, got \"\(text.string)\"")
        }
        return value
    }

    /// A file holding one signed number (`cpu.cfs_quota_us` is -1 when unlimited).
    static func signed(_ buffer: UnsafeBufferPointer<UInt8>, file: String) throws -> Int64 {
        var text = buffer[...].trimmingTrailing(0x0A)
        var negative = false
        if text.first == UInt8(ascii: "-") {
            negative = true
            text = text.dropFirst()
        }
        guard let value = text.uint64, value <= UInt64(Int64.max) else {
            throw ParseError(file: file, line: 1, reason: "expected a number, got \"\(buffer[...].trimmingTrailing(0x0A).string)\"")
        }
        return negative ? -Int64(value) : Int64(value)
    }

    /// `cgroup.procs`: one PID per line. Returns how many, and the first.
    static func processes(_ buffer: UnsafeBufferPointer<UInt8>) -> (count: Int, first: Int32?) {
        var count = 0
        var first: Int32?
        for line in LineIterator(buffer) where !line.isEmpty {
            count += 1
            if first == nil, let pid = line.uint64, pid > 0, pid <= UInt64(Int32.max) { first = Int32(pid) }
        }
        return (count, first)
    }
}
