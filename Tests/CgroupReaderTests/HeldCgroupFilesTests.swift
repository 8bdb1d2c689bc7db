import CgroupReader
import Foundation
import Testing
import TelemetryModel
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `filesKeptOpen`: the cgroup files held open between cycles and re-read with
/// `pread` must give what fresh opens give, stay within the limit, and go with their
/// cgroup.
struct HeldCgroupFilesTests {
    /// The families without `container_last_seen` (the clock) and timestamps.
    static func values(_ result: CollectionResult) -> [MetricFamily] {
        result.families.filter { $0.name != "container_last_seen" }
    }

    /// Open descriptors of this process that point under `path`.
    static func descriptors(under path: String) -> Int {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return entries.filter { entry in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + entry))?.hasPrefix(path) ?? false
        }.count
    }

    @Test(arguments: [1000, 7])
    func heldFilesReadWhatFreshOpensRead(limit: Int) throws {
        let host = try CAdvisorV2Tests.containerdNode()
        var holding = host.configuration()
        holding.filesKeptOpen = limit
        let fresh = CAdvisorCollector(configuration: host.configuration())
        let held = CAdvisorCollector(configuration: holding)
        fresh.connect(CAdvisorV2Tests.metadata)
        held.connect(CAdvisorV2Tests.metadata)
        for cycle in 0..<4 {
            if cycle == 2 {
                // Rewritten in place, as the kernel's files change under an open descriptor.
                try "314159265\n".write(toFile: host.cgroupRoot + CAdvisorV2Tests.appPath + "/memory.current", atomically: false, encoding: .utf8)
                try "200\n201\n202\n".write(toFile: host.cgroupRoot + CAdvisorV2Tests.appPath + "/cgroup.procs", atomically: false, encoding: .utf8)
            }
            let expected = fresh.collect(), got = held.collect()
            #expect(Self.values(got) == Self.values(expected), "cycle \(cycle)")
            #expect(got.failures.isEmpty && got.skipped.isEmpty)
        }
        let usage = held.collect().families.first { $0.name == "container_memory_usage_bytes" }?.series
            .first { $0.labels["id"] == CAdvisorV2Tests.appPath }?.value
        #expect(usage == 314_159_265)
        #expect(held.filesHeldOpen == min(limit, held.filesHeldOpen))
        #expect(held.filesHeldOpen > 0)
        if limit == 7 { #expect(held.filesHeldOpen == 7) }
        #expect(Self.descriptors(under: host.cgroupRoot) == held.filesHeldOpen)
    }

    @Test func aRemovedCgroupsFilesAreClosedAtTheCycleEnd() throws {
        let host = try CAdvisorV2Tests.containerdNode()
        var holding = host.configuration()
        holding.filesKeptOpen = 1000
        let collector = CAdvisorCollector(configuration: holding)
        _ = collector.collect()
        _ = collector.collect()
        let appDirectory = host.cgroupRoot + CAdvisorV2Tests.appPath
        let heldForApp = Self.descriptors(under: appDirectory + "/")
        #expect(heldForApp > 5)
        let before = collector.filesHeldOpen
        try FileManager.default.removeItem(atPath: appDirectory)
        let result = collector.collect()
        #expect(!(result.families.first { $0.name == "container_memory_usage_bytes" }?.series.contains { $0.labels["id"] == CAdvisorV2Tests.appPath } ?? true))
        #expect(result.failures.isEmpty)
        #expect(Self.descriptors(under: appDirectory + "/") == 0)
        #expect(collector.filesHeldOpen == before - heldForApp)
    }
}
