/// Parsers for the small text formats of cgroup files.
enum KeyedValues {
    /// Calls `body` with each `key value` line of a flat-keyed file (`cpu.stat`,
    /// `memory.stat`, `memory.events`). Lines whose value is not a number are skipped;
    /// new keys in new kernels are harmless.
    ///
    /// One pass over the bytes, not a line split and then a field split: `memory.stat`
    /// has some forty lines and is read for every cgroup in every cycle.
    static func forEach(in buffer: UnsafeBufferPointer<UInt8>, _ body: (Bytes, UInt64) -> Void) {
        let end = buffer.count
        var index = 0
        while index < end {
            while index < end, buffer[index].isSpaceOrTab { index += 1 }
            let keyStart = index
            while index < end, buffer[index] != 0x0A, !buffer[index].isSpaceOrTab { index += 1 }
            let keyEnd = index
            while index < end, buffer[index].isSpaceOrTab { index += 1 }
            let valueStart = index
            while index < end, buffer[index] != 0x0A, !buffer[index].isSpaceOrTab { index += 1 }
            let value = buffer[valueStart..<index].uint64
            // The rest of the line (further fields) is ignored.
            while index < end, buffer[index] != 0x0A { index += 1 }
            index += 1
            if keyEnd > keyStart, let value { body(buffer[keyStart..<keyEnd], value) }
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
