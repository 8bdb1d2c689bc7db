/// One collection of a cgroup's usage, in the units cAdvisor reports (seconds, bytes,
/// counts). A part is nil when the cgroup has no such controller or file.
public struct CgroupStats: Sendable, Equatable {
    public struct CPU: Sendable, Equatable {
        public var usageSeconds: Double
        public var userSeconds: Double
        public var systemSeconds: Double
        /// CFS bandwidth counters; nil when the cgroup has no CPU controller stats.
        public var periods: UInt64?
        public var throttledPeriods: UInt64?
        public var throttledSeconds: Double?
    }

    public struct Memory: Sendable, Equatable {
        public var usage: UInt64
        public var maxUsage: UInt64
        /// usage − inactive file pages, floored at 0: what the kubelet evicts on.
        public var workingSet: UInt64
        public var rss: UInt64
        public var cache: UInt64
        public var mappedFile: UInt64
        public var swap: UInt64
        public var failcnt: UInt64
        public var pageFaults: UInt64
        public var majorPageFaults: UInt64
        public var oomKills: UInt64
    }

    public struct DeviceIO: Sendable, Equatable {
        public var major: UInt32
        public var minor: UInt32
        public var readBytes: UInt64
        public var writeBytes: UInt64
        public var reads: UInt64
        public var writes: UInt64
    }

    public var cpu: CPU?
    public var memory: Memory?
    public var io: [DeviceIO] = []
    /// Processes directly in the cgroup (`cgroup.procs`, not recursive).
    public var processes: Int?
    /// One of those processes: its `/proc/<pid>/net/dev` is the pod's network.
    public var firstProcess: Int32?
    /// Tasks in the cgroup and below (`pids.current`).
    public var threads: UInt64?
    public var cpuPressure: Pressure?
    public var memoryPressure: Pressure?
    public var ioPressure: Pressure?

    public init() {}
}

/// A cgroup's limits and start time: re-read rarely, since they change only when a
/// pod is resized. A part is nil when the controller is absent, and cAdvisor then
/// leaves out its `container_spec_*` families.
public struct CgroupSpec: Sendable, Equatable {
    public struct CPU: Sendable, Equatable {
        /// CFS quota in microseconds per period; nil when unlimited.
        public var quota: UInt64?
        public var period: UInt64
        /// v1 `cpu.shares`, or the v2 weight mapped back to shares as cAdvisor does.
        public var shares: UInt64
    }

    /// Bytes; 0 when unlimited (cAdvisor's convention).
    public struct Memory: Sendable, Equatable {
        public var limit: UInt64
        public var reservation: UInt64
        public var swapLimit: UInt64
    }

    public var cpu: CPU?
    public var memory: Memory?
    /// Unix seconds.
    public var startTime: Double

    public init(cpu: CPU?, memory: Memory?, startTime: Double) {
        self.cpu = cpu
        self.memory = memory
        self.startTime = startTime
    }

    /// cAdvisor reports a limit above 2^62 (the kernel's "unlimited", whose exact
    /// value depends on the page size, or v2's `max`) as 0.
    static func limit(_ value: UInt64?) -> UInt64 {
        guard let value, value <= 1 << 62 else { return 0 }
        return value
    }
}
