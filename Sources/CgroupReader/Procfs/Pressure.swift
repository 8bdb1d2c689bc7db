/// A pressure stall information file: `/proc/pressure/{cpu,memory,io,irq}` or a
/// cgroup v2 `*.pressure` file.
///
///     some avg10=0.00 avg60=0.00 avg300=0.00 total=2784656
///     full avg10=0.00 avg60=0.00 avg300=0.00 total=0
public struct Pressure: Sendable, Equatable {
    /// One line's stall total. The `avg10`/`avg60`/`avg300` keys must be present, but
    /// their values are neither parsed nor kept: node_exporter and cAdvisor export only
    /// the totals, and parsing three decimals per line was most of this file's cost in
    /// the container cycle.
    public struct Line: Sendable, Equatable {
        /// Total stall time in microseconds.
        public var totalMicroseconds: UInt64

        public init(totalMicroseconds: UInt64) {
            self.totalMicroseconds = totalMicroseconds
        }
    }

    /// Some task stalled on the resource.
    public var some: Line?
    /// All non-idle tasks stalled at once (absent for system-wide CPU before 5.13).
    public var full: Line?

    public init(some: Line?, full: Line?) {
        self.some = some
        self.full = full
    }

    /// The kernel's own layout is matched first, in one pass (three of these files per
    /// cgroup every cycle); anything else goes to the general parser, which accepts
    /// any spacing and order of the keys and says what is wrong.
    public static func parse(_ buffer: UnsafeBufferPointer<UInt8>, file: String) throws -> Pressure {
        if let pressure = kernelLayout(buffer) { return pressure }
        return try parseFields(buffer, file: file)
    }

    /// Lines exactly as the kernel prints them (`some avg10=0.00 avg60=0.00 avg300=0.00
    /// total=123`, the same for `full`), or nil. Whatever it accepts, `parseFields`
    /// accepts with the same result.
    static func kernelLayout(_ buffer: UnsafeBufferPointer<UInt8>) -> Pressure? {
        guard let base = buffer.baseAddress else { return nil }
        let end = buffer.count
        var index = 0
        var result = Pressure(some: nil, full: nil)
        while index < end {
            let some = literal("some avg10=", base, &index, end)
            guard some || literal("full avg10=", base, &index, end), decimal(base, &index, end),
                  literal(" avg60=", base, &index, end), decimal(base, &index, end),
                  literal(" avg300=", base, &index, end), decimal(base, &index, end),
                  literal(" total=", base, &index, end) else { return nil }
            let start = index
            while index < end, base[index].isDigit { index += 1 }
            guard let total = buffer[start..<index].uint64 else { return nil }
            if index < end {
                guard base[index] == 0x0A else { return nil }
                index += 1
            }
            if some { result.some = Line(totalMicroseconds: total) } else { result.full = Line(totalMicroseconds: total) }
        }
        return result.some != nil || result.full != nil ? result : nil
    }

    /// Whether `text` is at `index`, stepping over it if so. (Functions of their own
    /// rather than nested ones: a nested function capturing `index` had every access
    /// to it checked for exclusivity at run time.)
    @inline(__always)
    private static func literal(_ text: StaticString, _ base: UnsafePointer<UInt8>, _ index: inout Int, _ end: Int) -> Bool {
        let count = text.utf8CodeUnitCount
        guard end - index >= count, bytes(base + index, equal: text) else { return false }
        index += count
        return true
    }

    /// Steps over a PSI average (`12.34`); false when there is none.
    @inline(__always)
    private static func decimal(_ base: UnsafePointer<UInt8>, _ index: inout Int, _ end: Int) -> Bool {
        let start = index
        while index < end, base[index].isDigit || base[index] == UInt8(ascii: ".") { index += 1 }
        return index > start
    }

    /// Any spacing, blank lines, keys in any order; a clear error otherwise.
    static func parseFields(_ buffer: UnsafeBufferPointer<UInt8>, file: String) throws -> Pressure {
        var result = Pressure(some: nil, full: nil)
        let end = buffer.count
        var index = 0
        var lineNumber = 0
        while index < end {
            lineNumber += 1
            var kind: Bytes?
            var averages = 0
            var total: UInt64?
            while true {
                while index < end, buffer[index].isSpaceOrTab { index += 1 }
                guard index < end, buffer[index] != 0x0A else { break }
                let start = index
                var equals = -1
                while index < end, buffer[index] != 0x0A, !buffer[index].isSpaceOrTab {
                    if equals < 0, buffer[index] == UInt8(ascii: "=") { equals = index }
                    index += 1
                }
                guard kind != nil else {
                    kind = buffer[start..<index]
                    continue
                }
                guard equals >= 0 else {
                    throw ParseError(file: file, line: lineNumber, reason: "expected key=value, got \"\(buffer[start..<index].string)\"")
                }
                let key = buffer[start..<equals]
                if key.equals("total") {
                    total = buffer[(equals + 1)..<index].uint64
                } else if key.equals("avg10") || key.equals("avg60") || key.equals("avg300") {
                    averages += 1
                }
            }
            index += 1
            guard let kind else { continue }
            guard averages == 3, let total else {
                throw ParseError(file: file, line: lineNumber, reason: "missing avg10, avg60, avg300 or total")
            }
            if kind.equals("some") {
                result.some = Line(totalMicroseconds: total)
            } else if kind.equals("full") {
                result.full = Line(totalMicroseconds: total)
            } else {
                throw ParseError(file: file, line: lineNumber, reason: "unknown line \"\(kind.string)\"")
            }
        }
        guard result.some != nil || result.full != nil else {
            throw ParseError(file: file, line: 0, reason: "no some/full line")
        }
        return result
    }

    public static func parse(_ text: String, file: String = "pressure") throws -> Pressure {
        try withBytes(of: text) { try parse($0, file: file) }
    }
}
