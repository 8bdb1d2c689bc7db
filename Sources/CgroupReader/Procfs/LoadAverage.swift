/// `/proc/loadavg`: the 1, 5 and 15 minute load averages.
public struct LoadAverage: Sendable, Equatable {
    public var one: Double
    public var five: Double
    public var fifteen: Double

    public init(one: Double, five: Double, fifteen: Double) {
        self.one = one
        self.five = five
        self.fifteen = fifteen
    }

    public static func parse(_ buffer: UnsafeBufferPointer<UInt8>, file: String = "/proc/loadavg") throws -> LoadAverage {
        var fields = FieldIterator(buffer[...].trimmingTrailing(0x0A))
        var loads: [Double] = []
        for _ in 0..<3 {
            guard let field = fields.next(), let value = field.double, value >= 0, value.isFinite else {
                throw ParseError(file: file, line: 1, reason: "expected three load averages")
            }
            loads.append(value)
        }
        return LoadAverage(one: loads[0], five: loads[1], fifteen: loads[2])
    }

    public static func parse(_ text: String) throws -> LoadAverage {
        try withBytes(of: text) { try parse($0) }
    }
}
