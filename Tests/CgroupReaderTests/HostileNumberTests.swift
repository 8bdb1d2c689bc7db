@testable import CgroupReader
import Foundation
import TelemetryModel
import Testing
import TestSupport

/// Kernel numbers at the edge of their type: the collectors saturate or refuse them,
/// never trap (a trap would take the whole agent down).
struct HostileNumberTests {
    static let maximum = "18446744073709551615"

    /// The v2 root adds anon and file; the host's swap in use and memory are kB × 1024.
    @Test func rootMemoryAndHostMemorySaturate() throws {
        let host = try CAdvisorBadInputTests.node()
        try host.write("cgroup/memory.stat", "anon \(Self.maximum)\nfile 4096\ninactive_file 0\n")
        try host.write("proc/meminfo", "MemTotal: \(Self.maximum) kB\nMemFree: 0 kB\nSwapTotal: \(Self.maximum) kB\nSwapFree: 0 kB\n")
        let result = CAdvisorCollector(configuration: host.configuration()).collect()
        #expect(result.failures.isEmpty)
        let exposition = Exposition(result)
        #expect(CAdvisorBadInputTests.ids(exposition).contains("/"))
        #expect(exposition.lines.contains { $0.hasPrefix("machine_memory_bytes{") && $0.hasSuffix(" 1.8446744073709552e+19") })
        #expect(exposition.samples(id: "/").contains { $0.hasPrefix("container_memory_usage_bytes{") && $0.hasSuffix(" 1.8446744073709552e+19") })
    }

    /// A CPU range spanning every number is no CPU count.
    @Test func cpuListSpanningEveryNumberIsRefused() throws {
        let host = try CAdvisorBadInputTests.node()
        try host.write("sys/devices/system/cpu/online", "0-\(Self.maximum)\n")
        let result = CAdvisorCollector(configuration: host.configuration()).collect()
        #expect(result.failures.map(\.subsystem) == ["machine"])
        #expect(CAdvisorBadInputTests.ids(Exposition(result)).contains(CAdvisorBadInputTests.healthy))
    }

    /// v1 `cpuacct.stat` ticks are turned into nanoseconds before seconds, as cAdvisor does.
    @Test func cpuTicksSaturate() throws {
        let host = try HostFixture()
        try host.v1Cgroup("/", cpuacctNanos: 900_000_000_000, memory: 4_000_000_000)
        try host.write("cgroup/cpuacct/cpuacct.stat", "user \(Self.maximum)\nsystem \(Self.maximum)\n")
        let result = CAdvisorCollector(configuration: host.configuration()).collect()
        #expect(result.failures.isEmpty)
        let user = Exposition(result).samples(id: "/").filter { $0.hasPrefix("container_cpu_user_seconds_total{") }
        #expect(user.map { $0.split(separator: " ").last } == ["1.8446744073709553e+10"])
    }

    /// A cgroup modified after 2554 (a clock set far ahead) has a start time past
    /// UInt64 nanoseconds. ext4 stops at 2446, so the tree is copied onto a tmpfs.
    @Test(.enabled(if: FileManager.default.isWritableFile(atPath: "/dev/shm")))
    func cgroupStartTimeAfter2554Saturates() throws {
        let host = try CAdvisorBadInputTests.node()
        let root = "/dev/shm/telegen-hostile-\(UUID().uuidString)"
        try FileManager.default.copyItem(atPath: host.cgroupRoot, toPath: root)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let year2600 = timeval(tv_sec: 19_880_899_200, tv_usec: 0)
        let directory = root + CAdvisorBadInputTests.damaged
        for path in [directory + "/cgroup.events", directory] {
            #expect([year2600, year2600].withUnsafeBufferPointer { utimes(path, $0.baseAddress) } == 0)
        }
        var info = stat()
        #expect(stat(directory, &info) == 0 && info.st_mtim.tv_sec == 19_880_899_200)

        let result = CAdvisorCollector(configuration: host.configuration(cgroupRoot: root)).collect()
        #expect(result.failures.isEmpty)
        let exposition = Exposition(result)
        #expect(exposition.samples(id: CAdvisorBadInputTests.damaged).contains {
            $0.hasPrefix("container_start_time_seconds{") && $0.hasSuffix(" 1.98808992e+10")
        })
        let family = try #require(result.families.first { $0.name == "container_cpu_usage_seconds_total" })
        let series = try #require(family.series.first { $0.labels.values.contains(CAdvisorBadInputTests.damaged) })
        #expect(series.startTimeUnixNano == UInt64.max)
    }

    /// A boot time so far ahead that its nanoseconds do not fit: no start time rather than a trap.
    @Test func bootTimePastUInt64NanosecondsIsLeftOut() throws {
        let directory = try TemporaryDirectory("telegen-node")
        try directory.write("proc/stat", "cpu  1 0 1 1 0 0 0 0 0 0\ncpu0 1 0 1 1 0 0 0 0 0 0\nbtime \(Self.maximum)\n")
        let collector = NodeCollector(paths: NodePaths(procRoot: directory.path + "/proc", sysRoot: directory.path + "/sys",
                                                       rootfs: directory.path + "/root"))
        let result = collector.collect()
        let cpu = try #require(result.families.first { $0.name == "node_cpu_seconds_total" })
        #expect(cpu.series.allSatisfy { $0.startTimeUnixNano == nil })
    }
}
