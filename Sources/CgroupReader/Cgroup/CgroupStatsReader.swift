#if canImport(Glibc)
import Glibc
#endif

/// Reads one cgroup's usage and limits from its files, in cAdvisor's units and with
/// cAdvisor's formulas, for cgroup v2 and v1. One buffer is reused for every file.
///
/// A cgroup that disappears while it is read throws `KernelFileError.missing`: the
/// container ended, which the caller counts but does not treat as a failure.
struct CgroupStatsReader {
    /// The initials of the `memory.stat` keys read below (`anon`, `file`, `file_mapped`,
    /// `inactive_file`, `pgfault`, `pgmajfault`; v1's `total_*` and the same faults).
    static let memoryStatInitialsV2 = KeyedValues.Initials("afip")
    static let memoryStatInitialsV1 = KeyedValues.Initials("tp")

    let layout: CgroupLayout
    /// The host's /proc: the v2 root cgroup has no swap counter, so its swap comes from meminfo.
    let procRoot: String
    private var reader = KernelFileReader(initialCapacity: 4096)
    /// The files of the every-cycle reads, kept open between cycles; nil holds none.
    private let held: HeldCgroupFiles?
    /// False while limits are read: files read once in several cycles are not held.
    private var holdReads = true

    /// `maximumHeldFiles`: how many cgroup files stay open between cycles (0: none).
    init(layout: CgroupLayout, procRoot: String, maximumHeldFiles: Int = 0) {
        self.layout = layout
        self.procRoot = procRoot
        held = maximumHeldFiles > 0 ? HeldCgroupFiles(limit: maximumHeldFiles) : nil
    }

    /// Files held open now.
    var heldFiles: Int { held?.count ?? 0 }

    /// Ends a cycle: closes the held files of cgroups it did not read (removed ones).
    func endCycle() {
        held?.endCycle()
    }

    /// Closes the held files of a cgroup found removed, in every hierarchy.
    func release(_ id: String) {
        guard let held else { return }
        let relative = id == "/" ? "" : id
        switch layout {
        case .v2(let root): held.release(root + relative)
        case .v1(let controllers):
            for base in [controllers.cpu, controllers.cpuacct, controllers.memory, controllers.blkio, controllers.pids] {
                held.release(base + relative)
            }
        }
    }

    struct Options {
        /// `memory.stat` is the expensive file on hierarchy-level cgroups (its cost
        /// grows with the cgroups below); callers skip it and reuse the last values.
        var memoryStat = true
        var io = true
        /// False when the host has no swap: `memory.swap.current` is then 0 everywhere.
        var swap = true
    }

    /// Files read so far, for the benchmark's accounting.
    private(set) var filesRead = 0

    // MARK: Usage

    mutating func stats(of id: String, options: Options, previousMemoryStat: MemoryStat?) throws -> (CgroupStats, MemoryStat?) {

        switch layout {
        case .v2(let root):
            var directory = try CgroupDirectory(path: id == "/" ? root : root + id, held: held)
            return try statsV2(&directory, isRoot: id == "/", options: options, previousMemoryStat: previousMemoryStat)
        case .v1(let controllers): return try statsV1(controllers: controllers, id: id, options: options, previousMemoryStat: previousMemoryStat)
        }
    }

    /// The `memory.stat` keys cAdvisor's families use.
    struct MemoryStat: Sendable, Equatable {
        var rss: UInt64 = 0
        var cache: UInt64 = 0
        var mappedFile: UInt64 = 0
        var swap: UInt64 = 0
        var inactiveFile: UInt64 = 0
        var pageFaults: UInt64 = 0
        var majorPageFaults: UInt64 = 0
    }

    private mutating func statsV2(_ directory: inout CgroupDirectory, isRoot: Bool, options: Options,
                                  previousMemoryStat: MemoryStat?) throws -> (CgroupStats, MemoryStat?) {
        var stats = CgroupStats()
        // cpu.stat: usage_usec, user_usec, system_usec always; the bandwidth counters
        // only with the cpu controller enabled for the cgroup.
        var usage: UInt64 = 0, user: UInt64 = 0, system: UInt64 = 0
        var periods: UInt64?, throttled: UInt64?, throttledTime: UInt64?
        try read("cpu.stat", in: &directory) { buffer in
            KeyedValues.forEach(in: buffer) { key, value in
                switch true {
                case key.equals("usage_usec"): usage = value.uint64 ?? usage
                case key.equals("user_usec"): user = value.uint64 ?? user
                case key.equals("system_usec"): system = value.uint64 ?? system
                case key.equals("nr_periods"): periods = value.uint64
                case key.equals("nr_throttled"): throttled = value.uint64
                case key.equals("throttled_usec"): throttledTime = value.uint64
                default: break
                }
            }
        }
        stats.cpu = CgroupStats.CPU(usageSeconds: Double(usage) / 1e6, userSeconds: Double(user) / 1e6,
                                    systemSeconds: Double(system) / 1e6, periods: periods, throttledPeriods: throttled,
                                    throttledSeconds: throttledTime.map { Double($0) / 1e6 })

        var memoryStat = previousMemoryStat
        if options.memoryStat || memoryStat == nil {
            var parsed = MemoryStat()
            try read("memory.stat", in: &directory) { buffer in
                KeyedValues.forEach(in: buffer, initials: Self.memoryStatInitialsV2) { key, value in
                    switch true {
                    case key.equals("anon"): parsed.rss = value.uint64 ?? parsed.rss
                    case key.equals("file"): parsed.cache = value.uint64 ?? parsed.cache
                    case key.equals("file_mapped"): parsed.mappedFile = value.uint64 ?? parsed.mappedFile
                    case key.equals("inactive_file"): parsed.inactiveFile = value.uint64 ?? parsed.inactiveFile
                    case key.equals("pgfault"): parsed.pageFaults = value.uint64 ?? parsed.pageFaults
                    case key.equals("pgmajfault"): parsed.majorPageFaults = value.uint64 ?? parsed.majorPageFaults
                    default: break
                    }
                }
            }
            memoryStat = parsed
        }
        let memory = memoryStat ?? MemoryStat()
        // The root has no memory.current or memory.swap.current; runc (and so cAdvisor)
        // takes anon + file for its usage and the host's swap in use from meminfo.
        let current = isRoot ? memory.rss.saturatingAdd(memory.cache) : try readNumber("memory.current", in: &directory) ?? 0
        let peak = isRoot ? 0 : (try optionalNumber("memory.peak", in: &directory) ?? 0)
        let swap: UInt64
        if !options.swap {
            swap = 0
        } else if isRoot {
            swap = try hostSwapInUse()
        } else {
            swap = try optionalNumber("memory.swap.current", in: &directory) ?? 0
        }
        var oomKills: UInt64 = 0
        if !isRoot {
            try optional("memory.events", in: &directory) { buffer in
                KeyedValues.forEach(in: buffer) { key, value in if key.equals("oom_kill") { oomKills = value.uint64 ?? oomKills } }
            }
        }
        stats.memory = CgroupStats.Memory(
            usage: current, maxUsage: peak, workingSet: current > memory.inactiveFile ? current - memory.inactiveFile : 0,
            rss: memory.rss, cache: memory.cache, mappedFile: memory.mappedFile, swap: swap, failcnt: 0,
            pageFaults: memory.pageFaults, majorPageFaults: memory.majorPageFaults, oomKills: oomKills)

        if options.io {
            try optional("io.stat", in: &directory) { stats.io = Self.parseIOStat($0) }
        }
        if !isRoot {
            stats.threads = try optionalNumber("pids.current", in: &directory)
            try optional("cgroup.procs", in: &directory, records: .pids, hold: false) { (stats.processes, stats.firstProcess) = KeyedValues.processes($0) }
        }
        stats.cpuPressure = try optionalPressure("cpu.pressure", in: &directory)
        stats.memoryPressure = try optionalPressure("memory.pressure", in: &directory)
        stats.ioPressure = try optionalPressure("io.pressure", in: &directory)
        return (stats, memoryStat)
    }

    private mutating func statsV1(controllers: CgroupLayout.Controllers, id: String, options: Options,
                                  previousMemoryStat: MemoryStat?) throws -> (CgroupStats, MemoryStat?) {
        var stats = CgroupStats()
        let relative = id == "/" ? "" : id
        var cpuacct = try CgroupDirectory(path: controllers.cpuacct + relative, held: held)
        var memory = try CgroupDirectory(path: controllers.memory + relative, held: held)

        let usage = try readNumber("cpuacct.usage", in: &cpuacct) ?? 0
        var userTicks: UInt64 = 0, systemTicks: UInt64 = 0
        try read("cpuacct.stat", in: &cpuacct) { buffer in
            KeyedValues.forEach(in: buffer) { key, value in
                if key.equals("user") { userTicks = value.uint64 ?? userTicks } else if key.equals("system") { systemTicks = value.uint64 ?? systemTicks }
            }
        }
        var periods: UInt64?, throttled: UInt64?, throttledTime: UInt64?
        try Self.ifPresent(controllers.cpu + relative, held: held) { cpu in
            try optional("cpu.stat", in: &cpu) { buffer in
                KeyedValues.forEach(in: buffer) { key, value in
                    switch true {
                    case key.equals("nr_periods"): periods = value.uint64
                    case key.equals("nr_throttled"): throttled = value.uint64
                    case key.equals("throttled_time"): throttledTime = value.uint64
                    default: break
                    }
                }
            }
            try optional("cgroup.procs", in: &cpu, records: .pids, hold: false) { (stats.processes, stats.firstProcess) = KeyedValues.processes($0) }
        }
        // cpuacct.stat counts USER_HZ (100 Hz) ticks; cAdvisor turns them into nanoseconds first.
        stats.cpu = CgroupStats.CPU(usageSeconds: Double(usage) / 1e9, userSeconds: Double(userTicks.saturatingMultiply(10_000_000)) / 1e9,
                                    systemSeconds: Double(systemTicks.saturatingMultiply(10_000_000)) / 1e9, periods: periods,
                                    throttledPeriods: throttled, throttledSeconds: throttledTime.map { Double($0) / 1e9 })

        var memoryStat = previousMemoryStat
        if options.memoryStat || memoryStat == nil {
            var parsed = MemoryStat()
            try read("memory.stat", in: &memory) { buffer in
                KeyedValues.forEach(in: buffer, initials: Self.memoryStatInitialsV1) { key, value in
                    switch true {
                    case key.equals("total_rss"): parsed.rss = value.uint64 ?? parsed.rss
                    case key.equals("total_cache"): parsed.cache = value.uint64 ?? parsed.cache
                    case key.equals("total_mapped_file"): parsed.mappedFile = value.uint64 ?? parsed.mappedFile
                    case key.equals("total_swap"): parsed.swap = value.uint64 ?? parsed.swap
                    case key.equals("total_inactive_file"): parsed.inactiveFile = value.uint64 ?? parsed.inactiveFile
                    // cAdvisor reports the local fault counters for both scopes.
                    case key.equals("pgfault"): parsed.pageFaults = value.uint64 ?? parsed.pageFaults
                    case key.equals("pgmajfault"): parsed.majorPageFaults = value.uint64 ?? parsed.majorPageFaults
                    default: break
                    }
                }
            }
            memoryStat = parsed
        }
        let statValues = memoryStat ?? MemoryStat()
        let current = try readNumber("memory.usage_in_bytes", in: &memory) ?? 0
        var oomKills: UInt64 = 0
        try optional("memory.oom_control", in: &memory) { buffer in
            KeyedValues.forEach(in: buffer) { key, value in if key.equals("oom_kill") { oomKills = value.uint64 ?? oomKills } }
        }
        stats.memory = CgroupStats.Memory(
            usage: current, maxUsage: try optionalNumber("memory.max_usage_in_bytes", in: &memory) ?? 0,
            workingSet: current > statValues.inactiveFile ? current - statValues.inactiveFile : 0,
            rss: statValues.rss, cache: statValues.cache, mappedFile: statValues.mappedFile, swap: statValues.swap,
            failcnt: try optionalNumber("memory.failcnt", in: &memory) ?? 0,
            pageFaults: statValues.pageFaults, majorPageFaults: statValues.majorPageFaults, oomKills: oomKills)

        if options.io {
            try Self.ifPresent(controllers.blkio + relative, held: held) { stats.io = try v1BlockIO(&$0) }
        }
        if id != "/" {
            try Self.ifPresent(controllers.pids + relative, held: held) { stats.threads = try optionalNumber("pids.current", in: &$0) }
        }
        return (stats, memoryStat)
    }

    /// Runs `body` with a controller's directory of the cgroup, when that controller
    /// has one (a v1 host may lack the pids or blkio hierarchy).
    private static func ifPresent(_ path: String, held: HeldCgroupFiles?, _ body: (inout CgroupDirectory) throws -> Void) throws {
        var directory: CgroupDirectory
        do {
            directory = try CgroupDirectory(path: path, held: held)
        } catch KernelFileError.missing {
            return
        }
        try body(&directory)
    }

    /// v1 blkio: the throttle policy's recursive files (the CFQ/BFQ ones are empty on
    /// blk-mq kernels), falling back to the non-recursive ones on old kernels.
    private mutating func v1BlockIO(_ directory: inout CgroupDirectory) throws -> [CgroupStats.DeviceIO] {
        var devices: [UInt64: CgroupStats.DeviceIO] = [:]
        let files = [("blkio.throttle.io_service_bytes_recursive", "blkio.throttle.io_service_bytes", true),
                     ("blkio.throttle.io_serviced_recursive", "blkio.throttle.io_serviced", false)]
        for (recursive, local, isBytes) in files {
            var found = false
            for file in [recursive, local] where !found {
                try optional(file, in: &directory) { buffer in
                    found = true
                    for line in LineIterator(buffer) {
                        var fields = FieldIterator(line)
                        guard let device = fields.next(), let operation = fields.next(), let value = fields.next()?.uint64,
                              let (major, minor) = Self.majorMinor(device) else { continue }
                        let key = UInt64(major) << 32 | UInt64(minor)
                        var entry = devices[key] ?? CgroupStats.DeviceIO(major: major, minor: minor, readBytes: 0, writeBytes: 0, reads: 0, writes: 0)
                        switch (operation.equals("Read"), operation.equals("Write"), isBytes) {
                        case (true, _, true): entry.readBytes = value
                        case (_, true, true): entry.writeBytes = value
                        case (true, _, false): entry.reads = value
                        case (_, true, false): entry.writes = value
                        default: break
                        }
                        devices[key] = entry
                    }
                }
            }
        }
        return devices.values.sorted { ($0.major, $0.minor) < ($1.major, $1.minor) }
    }

    /// v2 `io.stat`: `MAJ:MIN rbytes=… wbytes=… rios=… wios=… dbytes=… dios=…`.
    static func parseIOStat(_ buffer: UnsafeBufferPointer<UInt8>) -> [CgroupStats.DeviceIO] {
        var devices: [CgroupStats.DeviceIO] = []
        for line in LineIterator(buffer) {
            var fields = FieldIterator(line)
            guard let device = fields.next(), let (major, minor) = majorMinor(device) else { continue }
            var entry = CgroupStats.DeviceIO(major: major, minor: minor, readBytes: 0, writeBytes: 0, reads: 0, writes: 0)
            for field in fields {
                guard let equals = field.firstIndex(of: UInt8(ascii: "=")), let value = field[(equals + 1)...].uint64 else { continue }
                let key = field[..<equals]
                switch true {
                case key.equals("rbytes"): entry.readBytes = value
                case key.equals("wbytes"): entry.writeBytes = value
                case key.equals("rios"): entry.reads = value
                case key.equals("wios"): entry.writes = value
                default: break
                }
            }
            devices.append(entry)
        }
        return devices
    }

    static func majorMinor(_ field: Bytes) -> (UInt32, UInt32)? {
        guard let colon = field.firstIndex(of: UInt8(ascii: ":")),
              let major = field[..<colon].uint64, major <= UInt32.max,
              let minor = field[(colon + 1)...].uint64, minor <= UInt32.max else { return nil }
        return (UInt32(major), UInt32(minor))
    }

    private mutating func hostSwapInUse() throws -> UInt64 {
        let path = procRoot + "/meminfo"
        var total: UInt64 = 0, free: UInt64 = 0
        filesRead += 1
        // Two lines of fifty, every cycle: scanned, not parsed into a MemInfo.
        try reader.withContents(of: path, records: .single) { buffer in
            KeyedValues.forEach(in: buffer) { key, value in
                if key.equals("SwapTotal:") { total = value.uint64 ?? total } else if key.equals("SwapFree:") { free = value.uint64 ?? free }
            }
        }
        return total > free ? (total - free).saturatingMultiply(1024) : 0
    }

    // MARK: Limits

    mutating func spec(of id: String, bootTime: Double) throws -> CgroupSpec {
        holdReads = false
        defer { holdReads = true }
        switch layout {
        case .v2(let root):
            var directory = try CgroupDirectory(path: id == "/" ? root : root + id, held: held)
            // v2 always has the cpu files' directory; the root has neither cpu.max nor cpu.weight.
            var cpu = CgroupSpec.CPU(quota: nil, period: 0, shares: 0)
            try optional("cpu.max", in: &directory) { buffer in
                var fields = FieldIterator(buffer[...].trimmingTrailing(0x0A))
                if let first = fields.next(), !first.equals("max") { cpu.quota = first.uint64 }
                if let second = fields.next()?.uint64 { cpu.period = second }
            }
            // cAdvisor maps cpu.weight (1...10000) back to shares: 2 + (weight − 1) × 262142 / 9999.
            if let weight = try optionalNumber("cpu.weight", in: &directory), (1...10_000).contains(weight) {
                cpu.shares = 2 + (weight - 1) * 262_142 / 9999
            }
            var memory: CgroupSpec.Memory?
            if try directory.contains("memory.max") {
                memory = CgroupSpec.Memory(
                    limit: CgroupSpec.limit(try optionalNumber("memory.max", in: &directory)),
                    reservation: CgroupSpec.limit(try optionalNumber("memory.min", in: &directory)),
                    swapLimit: CgroupSpec.limit(try optionalNumber("memory.swap.max", in: &directory)))
            }
            return CgroupSpec(cpu: cpu, memory: memory,
                              startTime: Self.startTime(directory.path, marker: "cgroup.events", bootTime: bootTime))
        case .v1(let controllers):
            let relative = id == "/" ? "" : id
            var cpu: CgroupSpec.CPU?
            try Self.ifPresent(controllers.cpu + relative, held: held) { directory in
                var quota: UInt64?
                try optional("cpu.cfs_quota_us", in: &directory) { buffer in
                    let value = try KeyedValues.signed(buffer, file: "")
                    quota = value > 0 ? UInt64(value) : nil
                }
                cpu = CgroupSpec.CPU(quota: quota, period: try optionalNumber("cpu.cfs_period_us", in: &directory) ?? 0,
                                     shares: try optionalNumber("cpu.shares", in: &directory) ?? 0)
            }
            var memory: CgroupSpec.Memory?
            try Self.ifPresent(controllers.memory + relative, held: held) { directory in
                memory = CgroupSpec.Memory(
                    limit: CgroupSpec.limit(try optionalNumber("memory.limit_in_bytes", in: &directory)),
                    reservation: CgroupSpec.limit(try optionalNumber("memory.soft_limit_in_bytes", in: &directory)),
                    swapLimit: CgroupSpec.limit(try optionalNumber("memory.memsw.limit_in_bytes", in: &directory)))
            }
            return CgroupSpec(cpu: cpu, memory: memory,
                              startTime: Self.startTime(controllers.cpu + relative, marker: "cgroup.clone_children", bootTime: bootTime))
        }
    }

    /// cAdvisor's start time for cgroups without a runtime record: the earliest
    /// modification time of the directory and of a file the kernel creates with it,
    /// never before boot.
    private static func startTime(_ directory: String, marker: String, bootTime: Double) -> Double {
        var earliest = Double.greatestFiniteMagnitude
        for path in [directory, directory + "/" + marker] {
            var info = stat()
            if stat(path, &info) == 0 {
                earliest = min(earliest, Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
            }
        }
        return earliest == .greatestFiniteMagnitude ? bootTime : max(earliest, bootTime)
    }

    // MARK: File helpers

    /// `hold: false` for `cgroup.procs`: v1 keeps the pid list it built for an open file
    /// for a second after each read and serves a re-read from it, stale.
    private mutating func read(_ name: String, in directory: inout CgroupDirectory, records: KernelFileReader.Records = .single, hold: Bool = true,
                               _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        filesRead += 1
        do {
            try directory.withContents(of: name, reader: &reader, records: records, hold: hold && holdReads, body)
        } catch var error as ParseError where error.file.isEmpty {
            // Parsers get no path (building it for every file would allocate); name it here.
            error.file = directory.path + "/" + name
            throw error
        }
    }

    /// Like `read`, but a missing file is not an error (a controller or kernel feature absent).
    private mutating func optional(_ name: String, in directory: inout CgroupDirectory, records: KernelFileReader.Records = .single, hold: Bool = true,
                                   _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        do {
            try read(name, in: &directory, records: records, hold: hold, body)
        } catch KernelFileError.missing {
            return
        } catch KernelFileError.unreadable(_, let code) where code == EOPNOTSUPP || code == EINVAL {
            return  // PSI files of a kernel booted with psi=0
        }
    }

    private mutating func readNumber(_ name: String, in directory: inout CgroupDirectory) throws -> UInt64? {
        var value: UInt64?
        try read(name, in: &directory) { value = try KeyedValues.single($0, file: "") }
        return value
    }

    private mutating func optionalNumber(_ name: String, in directory: inout CgroupDirectory) throws -> UInt64? {
        var value: UInt64?
        try optional(name, in: &directory) { value = try KeyedValues.single($0, file: "") }
        return value
    }

    private mutating func optionalPressure(_ name: String, in directory: inout CgroupDirectory) throws -> Pressure? {
        var value: Pressure?
        try optional(name, in: &directory) { value = try Pressure.parse($0, file: "") }
        return value
    }
}
