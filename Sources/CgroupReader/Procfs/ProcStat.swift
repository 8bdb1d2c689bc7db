/// `/proc/stat`: per-CPU time and the kernel's system-wide activity counters.
public struct ProcStat: Sendable, Equatable {
    /// Time one CPU spent in each mode, in USER_HZ ticks (1/100 s on Linux).
    public struct CPUTimes: Sendable, Equatable {
        public var cpu: Int
        public var user: UInt64 = 0
        public var nice: UInt64 = 0
        public var system: UInt64 = 0
        public var idle: UInt64 = 0
        public var iowait: UInt64 = 0
        public var irq: UInt64 = 0
        public var softirq: UInt64 = 0
        public var steal: UInt64 = 0
        /// Already included in `user`; reported separately, as the kernel does.
        public var guest: UInt64 = 0
        /// Already included in `nice`.
        public var guestNice: UInt64 = 0

        public init(cpu: Int) { self.cpu = cpu }

        /// Columns in the kernel's order; columns newer kernels add are ignored.
        mutating func set(column: Int, to value: UInt64) {
            switch column {
            case 0: user = value
            case 1: nice = value
            case 2: system = value
            case 3: idle = value
            case 4: iowait = value
            case 5: irq = value
            case 6: softirq = value
            case 7: steal = value
            case 8: guest = value
            case 9: guestNice = value
            default: break
            }
        }
    }

    /// One entry per online CPU (`cpuN` lines); the aggregate `cpu` line is not kept.
    public var cpus: [CPUTimes] = []
    public var bootTime: UInt64?
    public var contextSwitches: UInt64?
    public var interrupts: UInt64?
    public var forks: UInt64?
    public var procsRunning: UInt64?
    public var procsBlocked: UInt64?

    public init() {}

    public static func parse(_ buffer: UnsafeBufferPointer<UInt8>, file: String = "/proc/stat") throws -> ProcStat {
        var stat = ProcStat()
        var lineNumber = 0
        for line in LineIterator(buffer) {
            lineNumber += 1
            var fields = FieldIterator(line)
            guard let key = fields.next() else { continue }
            if key.hasPrefix("cpu") {
                let suffix = key.dropFirst(3)
                guard !suffix.isEmpty else { continue }  // the aggregate line
                guard let number = suffix.uint64, number < 1 << 20 else {
                    throw ParseError(file: file, line: lineNumber, reason: "bad CPU name \"\(key.string)\"")
                }
                var times = CPUTimes(cpu: Int(number))
                var count = 0
                for field in fields {
                    guard let value = field.uint64 else {
                        throw ParseError(file: file, line: lineNumber, reason: "bad CPU time \"\(field.string)\"")
                    }
                    times.set(column: count, to: value)
                    count += 1
                }
                guard count >= 4 else {
                    throw ParseError(file: file, line: lineNumber, reason: "CPU line has \(count) fields, want at least 4")
                }
                stat.cpus.append(times)
                continue
            }
            let target: WritableKeyPath<ProcStat, UInt64?>
            switch true {
            case key.equals("btime"): target = \.bootTime
            case key.equals("ctxt"): target = \.contextSwitches
            case key.equals("intr"): target = \.interrupts
            case key.equals("processes"): target = \.forks
            case key.equals("procs_running"): target = \.procsRunning
            case key.equals("procs_blocked"): target = \.procsBlocked
            default: continue
            }
            guard let field = fields.next(), let value = field.uint64 else {
                throw ParseError(file: file, line: lineNumber, reason: "bad value for \"\(key.string)\"")
            }
            stat[keyPath: target] = value
        }
        if stat.cpus.isEmpty {
            throw ParseError(file: file, line: lineNumber, reason: "no per-CPU lines")
        }
        return stat
    }

    public static func parse(_ text: String) throws -> ProcStat {
        try withBytes(of: text) { try parse($0) }
    }
}
