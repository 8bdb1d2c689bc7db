@testable import CgroupReader
import Foundation
import TelemetryModel
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The container collector against the running kernel: a pod's cgroups made as the
/// kubelet's cgroupfs driver makes them, a CPU burner, a memory allocator and a
/// `pause` sandbox inside, and the kernel's own files as the oracle.
@Suite(.serialized)
struct CAdvisorKernelTests {
    static func hex64() -> String {
        (0..<4).map { _ in String(format: "%016llx", UInt64.random(in: 0...UInt64.max)) }.joined()
    }

    /// The value of `family` for the cgroup `id` (and one more label, if given).
    static func value(_ result: CollectionResult, _ family: String, id: String, _ label: (String, String)? = nil) -> Double? {
        result.families.first { $0.name == family }?.series.first { series in
            series.labels["id"] == id && label.map { series.labels[$0.0] == $0.1 } ?? true
        }?.value
    }

    @Test func cpuMemoryAndNetworkMatchTheKernel() throws {
        let tree = try KubeletCgroupTree()
        defer { tree.remove() }
        let python = try Command.which("python3", installHint: "scripts/install-deps installs it")
        let scratch = try TemporaryDirectory("telegen-kernel")
        let started = Date().timeIntervalSince1970

        // The sandbox: a copy of sleep named `pause`, as the runtime's pause binary.
        let sandboxID = Self.hex64(), burnerID = Self.hex64(), allocatorID = Self.hex64()
        let sandbox = try tree.makeCgroup(tree.podPath + "/" + sandboxID)
        let burner = try tree.makeCgroup(tree.podPath + "/" + burnerID)
        let allocator = try tree.makeCgroup(tree.podPath + "/" + allocatorID)
        try FileManager.default.copyItem(atPath: "/bin/sleep", toPath: scratch.path + "/pause")
        let pausePID = try tree.run(in: sandbox, "exec \(scratch.path)/pause 600")

        // Half a CPU for the burner, so the CFS counters move; a memory limit for the allocator.
        try tree.write("50000", controller: "cpu", path: burner, file: "cpu.cfs_quota_us")
        try tree.write("512", controller: "cpu", path: burner, file: "cpu.shares")
        try tree.write("268435456", controller: "memory", path: allocator, file: "memory.limit_in_bytes")
        try tree.run(in: burner, "while :; do :; done")
        // 64 MiB of anonymous memory, every page touched, and 8 MiB of page cache.
        let ready = scratch.path + "/ready"
        try tree.run(in: allocator, """
            exec \(python) -c 'import os, time
            b = bytearray(64 << 20)
            b[::4096] = b"\\x01" * (len(b) // 4096)
            with open("\(scratch.path)/cache", "wb") as f: f.write(os.urandom(8 << 20))
            open("\(ready)", "w").close()
            time.sleep(600)'
            """)
        let deadline = Date().addingTimeInterval(30)
        while access(ready, F_OK) != 0 && Date() < deadline { usleep(20_000) }
        try #require(access(ready, F_OK) == 0, "the allocator did not get ready")
        let collector = CAdvisorCollector(configuration: CAdvisorCollector.Configuration(
            cgroupRoot: KubeletCgroupTree.root, procRoot: "/proc", sysRoot: "/sys", rootfs: "/"))
        collector.connect(FixedMetadata(pods: [tree.podUID: PodMetadata(name: "kernel-test", namespace: "telegen", containers: [
            burnerID: ContainerMetadata(name: "burner", image: "busybox"),
            allocatorID: ContainerMetadata(name: "allocator", image: "python:3"),
        ])]))

        // A first cycle reads limits and machine facts; the measured one is a steady cycle.
        _ = collector.collect()
        usleep(3_000_000)  // the burner accrues 1.5 s of CPU: 1% is then longer than a cycle

        // Running: our CPU seconds lie between the kernel's readings just before and
        // after a whole cycle…
        let before = Double(try tree.number("cpuacct", burner, "cpuacct.usage")) / 1e9
        let running = collector.collect()
        let after = Double(try tree.number("cpuacct", burner, "cpuacct.usage")) / 1e9
        #expect(running.failures.isEmpty, "\(running.failures)")
        let usage = try #require(Self.value(running, "container_cpu_usage_seconds_total", id: burner))
        #expect(before > 0.2)
        #expect(usage >= before && usage <= after)
        // …and within 1% of `cpuacct.usage` read at the same moment as the burner's own
        // files (a whole cycle on a loaded 2-core machine can take longer than 1%).
        var reader = CgroupStatsReader(layout: try #require(CgroupLayout.detect(root: KubeletCgroupTree.root)), procRoot: "/proc")
        let kernelNow = Double(try tree.number("cpuacct", burner, "cpuacct.usage")) / 1e9
        let ours = try #require(try reader.stats(of: burner, options: .init(), previousMemoryStat: nil).0.cpu?.usageSeconds)
        #expect(ours >= kernelNow && abs(ours - kernelNow) <= 0.01 * kernelNow, "ours \(ours) s, cpuacct.usage \(kernelNow) s")

        // Frozen: the kernel's counters stand still, and ours must equal them exactly.
        try tree.freeze(burner)
        let cpuacct = Double(try tree.number("cpuacct", burner, "cpuacct.usage")) / 1e9
        let ticks = try tree.keyed("cpuacct", burner, "cpuacct.stat")
        let cfs = try tree.keyed("cpu", burner, "cpu.stat")
        let frozen = collector.collect()

        #expect(Self.value(frozen, "container_cpu_usage_seconds_total", id: burner, ("cpu", "total")) == cpuacct)
        #expect(Self.value(frozen, "container_cpu_user_seconds_total", id: burner) == Double((ticks["user"] ?? 0) * 10_000_000) / 1e9)
        #expect(Self.value(frozen, "container_cpu_system_seconds_total", id: burner) == Double((ticks["system"] ?? 0) * 10_000_000) / 1e9)
        #expect(Self.value(frozen, "container_cpu_cfs_periods_total", id: burner) == Double(cfs["nr_periods"] ?? 0))
        #expect(Self.value(frozen, "container_cpu_cfs_throttled_periods_total", id: burner) == Double(cfs["nr_throttled"] ?? 0))
        #expect((cfs["nr_throttled"] ?? 0) > 0, "a busy loop at half a CPU is throttled")
        #expect(Self.value(frozen, "container_cpu_cfs_throttled_seconds_total", id: burner) == Double(cfs["throttled_time"] ?? 0) / 1e9)
        #expect(Self.value(frozen, "container_spec_cpu_quota", id: burner) == 50000)
        #expect(Self.value(frozen, "container_spec_cpu_period", id: burner) == 100_000)
        #expect(Self.value(frozen, "container_spec_cpu_shares", id: burner) == 512)

        // Memory: the kernel's formulas on the same files' values, from a collection
        // during which the allocator's usage did not move (it sleeps; the kernel may
        // still reclaim or charge a page now and then).
        var stable: (usage: UInt64, stat: [String: UInt64], maxUsage: UInt64, threads: UInt64, result: CollectionResult)?
        for _ in 0..<5 where stable == nil {
            let usage = try tree.number("memory", allocator, "memory.usage_in_bytes")
            let stat = try tree.keyed("memory", allocator, "memory.stat")
            let maxUsage = try tree.number("memory", allocator, "memory.max_usage_in_bytes")
            let threads = try tree.number("pids", allocator, "pids.current")
            let result = collector.collect()
            if try tree.number("memory", allocator, "memory.usage_in_bytes") == usage,
               try tree.keyed("memory", allocator, "memory.stat") == stat {
                stable = (usage, stat, maxUsage, threads, result)
            }
        }
        let memory = try #require(stable, "the allocator's memory kept changing")
        let inactiveFile = memory.stat["total_inactive_file"] ?? 0
        #expect(Self.value(memory.result, "container_memory_usage_bytes", id: allocator) == Double(memory.usage))
        #expect(Self.value(memory.result, "container_memory_working_set_bytes", id: allocator)
            == Double(memory.usage > inactiveFile ? memory.usage - inactiveFile : 0))
        #expect(Self.value(memory.result, "container_memory_rss", id: allocator) == Double(memory.stat["total_rss"] ?? 0))
        #expect(Self.value(memory.result, "container_memory_cache", id: allocator) == Double(memory.stat["total_cache"] ?? 0))
        #expect(Self.value(memory.result, "container_memory_mapped_file", id: allocator) == Double(memory.stat["total_mapped_file"] ?? 0))
        #expect(Self.value(memory.result, "container_memory_swap", id: allocator) == Double(memory.stat["total_swap"] ?? 0))
        #expect(Self.value(memory.result, "container_memory_max_usage_bytes", id: allocator) == Double(memory.maxUsage))
        #expect(Self.value(memory.result, "container_memory_failures_total", id: allocator, ("failure_type", "pgfault"))
            == Double(memory.stat["pgfault"] ?? 0))
        #expect(Self.value(memory.result, "container_threads", id: allocator) == Double(memory.threads))
        #expect(try #require(Self.value(frozen, "container_memory_rss", id: allocator)) >= Double(64 << 20))
        #expect(try #require(Self.value(frozen, "container_memory_cache", id: allocator)) >= Double(4 << 20))
        #expect(Self.value(frozen, "container_spec_memory_limit_bytes", id: allocator) == 268_435_456)
        #expect(Self.value(frozen, "container_spec_memory_limit_bytes", id: burner) == 0)  // unlimited
        #expect(Self.value(frozen, "container_processes", id: allocator) == 1)
        let startTime = try #require(Self.value(frozen, "container_start_time_seconds", id: allocator))
        #expect(startTime >= started.rounded(.down) - 1 && startTime <= Date().timeIntervalSince1970)

        // Names from the metadata source; the sandbox by ID only.
        let burnerLabels = frozen.families.first { $0.name == "container_memory_usage_bytes" }?.series.first { $0.labels["id"] == burner }?.labels
        #expect(burnerLabels?["container"] == "burner")
        #expect(burnerLabels?["name"] == burnerID)
        #expect(burnerLabels?["pod"] == "kernel-test")

        // Network: the sandbox's namespace (the host's here), every interface but the ignored ones.
        let expectedInterfaces = Set(try String(contentsOfFile: "/proc/\(pausePID)/net/dev", encoding: .utf8)
            .split(separator: "\n").dropFirst(2)
            .compactMap { $0.split(separator: ":").first?.trimmingCharacters(in: .whitespaces) }
            .filter { !PodNetwork.isIgnored($0) })
        let interfaces = Set(frozen.families.first { $0.name == "container_network_receive_bytes_total" }?.series
            .filter { $0.labels["id"] == sandbox }.compactMap { $0.labels["interface"] } ?? [])
        #expect(interfaces == expectedInterfaces)
        for name in [burner, allocator, tree.podPath] {
            #expect(!(frozen.families.first { $0.name == "container_network_receive_bytes_total" }?.series.contains { $0.labels["id"] == name } ?? false))
        }
    }

    @Test func removedContainerIsSkippedNotFailed() throws {
        let tree = try KubeletCgroupTree()
        defer { tree.remove() }
        let gone = try tree.makeCgroup(tree.podPath + "/" + Self.hex64())
        let collector = CAdvisorCollector(configuration: CAdvisorCollector.Configuration(
            cgroupRoot: KubeletCgroupTree.root, procRoot: "/proc", sysRoot: "/sys", rootfs: "/"))
        #expect(Self.value(collector.collect(), "container_memory_usage_bytes", id: gone) != nil)
        // The kernel removes the cgroup when the container ends; the memory hierarchy
        // (the one discovery lists) keeps it until the next cycle's listing.
        collector.connect(RemovingCgroup(directories: KubeletCgroupTree.controllers.map { "\(KubeletCgroupTree.root)/\($0)\(gone)" }))
        let result = collector.collect()
        #expect(Self.value(result, "container_memory_usage_bytes", id: gone) == nil)
        #expect(result.skipped == ["vanished": 1])
        #expect(result.failures.isEmpty)
    }
}

/// rmdir()s a container's cgroups when its pod is looked up: between discovery's
/// listing and the reading of its files.
struct RemovingCgroup: ContainerMetadataSource {
    let directories: [String]

    func pod(uid: String) -> PodMetadata? {
        for directory in directories { rmdir(directory) }
        return nil
    }
}

/// Held files on the running kernel's cgroupfs (`filesKeptOpen`): a `pread` at offset
/// 0 makes the kernel print the file anew, and a removed cgroup's held file fails with
/// ENODEV. In the serialized suite: each test makes the same `/kubepods` tree.
extension CAdvisorKernelTests {
    static func holdingCollector() -> CAdvisorCollector {
        var configuration = CAdvisorCollector.Configuration(cgroupRoot: KubeletCgroupTree.root, procRoot: "/proc", sysRoot: "/sys", rootfs: "/")
        configuration.filesKeptOpen = 10_000
        return CAdvisorCollector(configuration: configuration)
    }

    @Test func heldFilesFollowTheKernel() throws {
        let tree = try KubeletCgroupTree()
        defer { tree.remove() }
        let container = try tree.makeCgroup(tree.podPath + "/" + Self.hex64())
        try tree.run(in: container, "exec sleep 600")
        let collector = Self.holdingCollector()
        _ = collector.collect()
        let first = collector.collect()
        #expect(first.failures.isEmpty, "\(first.failures)")
        #expect(Self.value(first, "container_processes", id: container) == 1)
        #expect(HeldCgroupFilesTests.descriptors(under: "\(KubeletCgroupTree.root)/memory\(container)/") > 0)

        // A busy loop joins: the held cgroup.procs and cpuacct.usage show it.
        try tree.run(in: container, "while :; do :; done")
        usleep(300_000)
        let before = Double(try tree.number("cpuacct", container, "cpuacct.usage")) / 1e9
        let second = collector.collect()
        let after = Double(try tree.number("cpuacct", container, "cpuacct.usage")) / 1e9
        #expect(Self.value(second, "container_processes", id: container) == 2)
        let usage = try #require(Self.value(second, "container_cpu_usage_seconds_total", id: container))
        #expect(before > 0.05 && usage >= before && usage <= after, "\(before) ≤ \(usage) ≤ \(after)")
    }

    @Test func aCgroupRemovedUnderHeldFilesIsSkippedAndReleased() throws {
        let tree = try KubeletCgroupTree()
        defer { tree.remove() }
        let gone = try tree.makeCgroup(tree.podPath + "/" + Self.hex64())
        let collector = Self.holdingCollector()
        _ = collector.collect()
        #expect(Self.value(collector.collect(), "container_memory_usage_bytes", id: gone) != nil)
        let held = HeldCgroupFilesTests.descriptors(under: "\(KubeletCgroupTree.root)/memory\(gone)/")
        #expect(held > 0)
        // Removed after the listing: its held files answer ENODEV.
        collector.connect(RemovingCgroup(directories: KubeletCgroupTree.controllers.map { "\(KubeletCgroupTree.root)/\($0)\(gone)" }))
        let result = collector.collect()
        #expect(Self.value(result, "container_memory_usage_bytes", id: gone) == nil)
        #expect(result.skipped == ["vanished": 1])
        #expect(result.failures.isEmpty)
        for controller in KubeletCgroupTree.controllers {
            #expect(HeldCgroupFilesTests.descriptors(under: "\(KubeletCgroupTree.root)/\(controller)\(gone)/") == 0)
        }
    }
}
