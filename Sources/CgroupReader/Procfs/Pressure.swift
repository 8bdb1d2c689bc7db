/// A pressure stall information file: `/proc/pressure/{cpu,memory,io,irq}` or a
/// cgroup v2 `*.pressure` file.
///
///     some avg10=0.00 avg60=0.00 avg300=0.00 total=2784656
///     full avg10=0.00 avg60=0.00 avg300=0.00 total=0
public struct Pressure: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public var avg10: Double
        public var avg60: Double
        public var avg300: Double
        /// Total stall time in microseconds.
        public var totalMicroseconds: UInt64

        public init(avg10: Double, avg60: Double, avg300: Double, totalMicroseconds: UInt64) {
            self.avg10 = avg10
            self.avg60 = avg60
            self.avg300 = avg300
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
            var avg10: Double?, avg60: Double?, avg300: Double?, total: UInt64?
            for field in fields {
                guard let equals = field.firstIndex(of: UInt8(ascii: "=")) else {
                    throw ParseError(file: file, line: lineNumber, reason: "expected key=value, got \"\(field.string)\"")
                }
                let key = field[..<equals], value = field[(equals + 1)...]
                switch true {
                case key.equals("avg10"): avg10 = value.double
                case key.equals("avg60"): avg60 = value.double
                case key.equals("avg300"): avg300 = value.double
                case key.equals("total"): total = value.uint64
                default: continue
                }
            }
            guard let avg10, let avg60, let avg300, let total else {
                throw ParseError(file: file, line: lineNumber, reason: "missing avg10, avg60, avg300 or total")
            }
            let parsed = Line(avg10: avg10, avg60: avg60, avg300: avg300, totalMicroseconds: total)
            if kind.equals("some") {
                result.some = parsed
            } else if kind.equals("full") {
                result.full = parsed
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
