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

    public static func parse(_ buffer: UnsafeBufferPointer<UInt8>, file: String) throws -> Pressure {
        var result = Pressure(some: nil, full: nil)
        var lineNumber = 0
        for line in LineIterator(buffer) {
            lineNumber += 1
            var fields = FieldIterator(line)
            guard let kind = fields.next() else { continue }
            var averages = 0
            var total: UInt64?
            for field in fields {
                guard let equals = field.firstIndex(of: UInt8(ascii: "=")) else {
                    throw ParseError(file: file, line: lineNumber, reason: "expected key=value, got \"\(field.string)\"")
                }
                let key = field[..<equals]
                if key.equals("total") {
                    total = field[(equals + 1)...].uint64
                } else if key.equals("avg10") || key.equals("avg60") || key.equals("avg300") {
                    averages += 1
                }
            }
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
