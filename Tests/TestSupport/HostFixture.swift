import CgroupReader
import Foundation
import TelemetryModel

/// A host as the container collector sees it — /proc, /sys, the root filesystem and a
/// cgroup tree — written into a temporary directory by the test.
public final class HostFixture: Sendable {
    public let directory: TemporaryDirectory
    public static let bootTime: Int = 1_795_303_313
    public static let bootID = "0f8b6d9e-52c4-4b1e-9a3d-7c2e1f0a9b8c"
    public static let machineID = "4c1d8a7e2b9f4e6a8d3c5b7a9e1f2d4c"
    public static let systemUUID = "ec2a1b3c-4d5e-6f70-8192-a3b4c5d6e7f8"

    public var cgroupRoot: String { directory.path + "/cgroup" }

    public init() throws {
        directory = try TemporaryDirectory("telegen-cadvisor")
        try write("proc/stat", "cpu  1 0 1 1 0 0 0 0 0 0\nbtime \(Self.bootTime)\n")
        try write("proc/meminfo", "MemTotal:        2048000 kB\nMemFree:          100000 kB\nSwapTotal:          1024 kB\nSwapFree:            512 kB\n")
        try write("proc/sys/kernel/random/boot_id", Self.bootID + "\n")
        try write("sys/devices/system/cpu/online", "0-3,6\n")
        try write("sys/class/dmi/id/product_uuid", Self.systemUUID + "\n")
        try write("root/etc/machine-id", Self.machineID + "\n")
        // /sys/dev/block/8:0 → …/block/sda, as the kernel links it.
        try FileManager.default.createDirectory(atPath: directory.path + "/sys/dev/block", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: directory.path + "/sys/dev/block/8:0",
                                                   withDestinationPath: "../../devices/pci0000:00/0000:00:10.0/host0/target0:0:0/0:0:0:0/block/sda")
        try process(1, comm: "systemd", interfaces: [("lo", 50), ("eth0", 1000), ("docker0", 7)])
    }

    public func configuration(cgroupRoot: String? = nil) -> CAdvisorCollector.Configuration {
        CAdvisorCollector.Configuration(cgroupRoot: cgroupRoot ?? self.cgroupRoot, procRoot: directory.path + "/proc",
                                        sysRoot: directory.path + "/sys", rootfs: directory.path + "/root")
    }

    public func write(_ relative: String, _ text: String) throws {
        try directory.write(relative, text)
    }

    /// Writes each file of a cgroup directory (relative to the cgroup root).
    public func cgroup(_ path: String, _ files: [String: String]) throws {
        let base = "cgroup" + (path == "/" ? "" : path)
        try FileManager.default.createDirectory(atPath: directory.path + "/" + base, withIntermediateDirectories: true)
        for (name, text) in files { try write(base + "/" + name, text) }
    }

    /// A process: its `comm` and a `net/dev` whose counters are derived from `base`
    /// (receive bytes, packets, errors, drops = base, base/10, 1, 2; transmit = 2×base, base/5, 3, 4).
    public func process(_ pid: Int32, comm: String, interfaces: [(String, UInt64)]) throws {
        try write("proc/\(pid)/comm", comm + "\n")
        var netDev = """
            Inter-|   Receive                                                |  Transmit
             face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed

            """
        for (name, base) in interfaces {
            netDev += "\(name): \(base) \(base / 10) 1 2 0 0 0 0 \(2 * base) \(base / 5) 3 4 0 0 0 0\n"
        }
        try write("proc/\(pid)/net/dev", netDev)
    }

    /// Sets a cgroup's creation time as the kernel leaves it: the directory's and
    /// `marker`'s modification times. Call after every file below it is written.
    public func setStartTime(_ relativeDirectory: String, _ seconds: Double, marker: String) throws {
        let path = cgroupRoot + relativeDirectory
        let time = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1e6))
        for file in [path + "/" + marker, path] {
            let result = [time, time].withUnsafeBufferPointer { utimes(file, $0.baseAddress) }
            guard result == 0 else { throw FixtureError(message: "utimes \(file): errno \(errno)") }
        }
    }

    // MARK: cgroup v2 file sets

    /// The files of a v2 cgroup with the cpu, memory, io and pids controllers enabled.
    public static func v2Files(usageMicros: UInt64, memory: UInt64, procs: [Int32] = [], extra: [String: String] = [:]) -> [String: String] {
        var files: [String: String] = [
            "cgroup.events": "populated 1\nfrozen 0\n",
            "cgroup.procs": procs.map { "\($0)\n" }.joined(),
            "cpu.stat": "usage_usec \(usageMicros)\nuser_usec \(usageMicros / 2)\nsystem_usec \(usageMicros / 4)\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\n",
            "cpu.max": "max 100000\n",
            "cpu.weight": "100\n",
            "memory.current": "\(memory)\n",
            "memory.peak": "\(memory)\n",
            "memory.stat": "anon \(memory / 2)\nfile \(memory / 4)\nfile_mapped 0\ninactive_file \(memory / 8)\npgfault 10\npgmajfault 1\n",
            "memory.swap.current": "0\n",
            "memory.events": "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n",
            "memory.max": "max\n",
            "memory.min": "0\n",
            "memory.swap.max": "max\n",
            "pids.current": "\(procs.count)\n",
        ]
        files.merge(extra) { $1 }
        return files
    }

    /// The v2 root: no limits, no memory.current; `cgroup.controllers` marks the hierarchy.
    public func v2Root() throws {
        try cgroup("/", [
            "cgroup.controllers": "cpuset cpu io memory hugetlb pids rdma misc\n",
            "cgroup.procs": "1\n",
            "cpu.stat": "usage_usec 90000000\nuser_usec 60000000\nsystem_usec 30000000\n",
            "memory.stat": "anon 1000000\nfile 3000000\nfile_mapped 20000\ninactive_file 500000\npgfault 77\npgmajfault 7\n",
            "io.stat": "8:0 rbytes=1000 wbytes=2000 rios=10 wios=20 dbytes=0 dios=0\n",
        ])
    }

    // MARK: cgroup v1 file sets

    /// Writes a v1 cgroup into each controller's hierarchy.
    public func v1Cgroup(_ path: String, cpuacctNanos: UInt64, memory: UInt64, procs: [Int32] = [],
                  cpu: [String: String] = [:], memoryFiles: [String: String] = [:], blkio: [String: String] = [:]) throws {
        let unlimited = "9223372036854771712\n"
        try cgroup("/cpuacct" + path, [
            "cpuacct.usage": "\(cpuacctNanos)\n",
            "cpuacct.stat": "user \(cpuacctNanos / 20_000_000)\nsystem \(cpuacctNanos / 40_000_000)\n",
        ])
        try cgroup("/cpu" + path, [
            "cgroup.procs": procs.map { "\($0)\n" }.joined(),
            "cgroup.clone_children": "0\n",
            "cpu.stat": "nr_periods 0\nnr_throttled 0\nthrottled_time 0\n",
            "cpu.cfs_quota_us": "-1\n",
            "cpu.cfs_period_us": "100000\n",
            "cpu.shares": "1024\n",
        ].merging(cpu) { $1 })
        try cgroup("/memory" + path, [
            "memory.usage_in_bytes": "\(memory)\n",
            "memory.max_usage_in_bytes": "\(memory)\n",
            "memory.failcnt": "0\n",
            "memory.limit_in_bytes": unlimited,
            "memory.soft_limit_in_bytes": unlimited,
            "memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n",
            "memory.stat": "cache 0\nrss 0\npgfault 10\npgmajfault 1\ntotal_cache \(memory / 4)\ntotal_rss \(memory / 2)\ntotal_mapped_file 0\ntotal_swap 0\ntotal_inactive_file \(memory / 8)\n",
        ].merging(memoryFiles) { $1 })
        try cgroup("/blkio" + path, [
            "blkio.throttle.io_service_bytes_recursive": "Total 0\n",
            "blkio.throttle.io_serviced_recursive": "Total 0\n",
        ].merging(blkio) { $1 })
        if path != "/" {
            try cgroup("/pids" + path, ["pids.current": "\(procs.count)\n"])
        }
    }
}

public struct FixtureError: Error {
    public let message: String

    public init(message: String) {
        self.message = message
    }
}

/// Pod names and images by UID, as the Kubernetes watch would give them.
public struct FixedMetadata: ContainerMetadataSource {
    public var pods: [String: PodMetadata]

    public init(pods: [String: PodMetadata]) {
        self.pods = pods
    }

    public func pod(uid: String) -> PodMetadata? { pods[uid] }
}

/// The collector's output as Prometheus text sample lines, and helpers to pick them.
public struct Exposition {
    public let lines: [String]

    public init(_ result: CollectionResult) {
        let text = String(decoding: ExpositionEncoder(format: .prometheusText).encode(result.families), as: UTF8.self)
        lines = text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
    }

    /// Sample lines of one cgroup (by its exact `id` label), `container_last_seen` left out.
    public func samples(id: String) -> Set<String> {
        Set(lines.filter { $0.contains("id=\"\(id)\"") && !$0.hasPrefix("container_last_seen{") })
    }

    public var familyNames: Set<String> {
        Set(lines.map { String($0.prefix { $0 != "{" && $0 != " " }) })
    }
}
