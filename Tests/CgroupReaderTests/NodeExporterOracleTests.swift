import CgroupReader
import Foundation
import TelemetryModel
import Testing
import TestSupport

/// Telegen's node families against Debian's prometheus-node-exporter on the same
/// host at the same moment: the same families, the same label sets, fixed values
/// equal, counters between node_exporter's readings just before and just after ours.
@Suite(.serialized)
struct NodeExporterOracleTests {
    /// Families node_exporter has that Telegen reproduces (node_disk_info needs udev and
    /// receive_nohandler needs netlink; Telegen reads /proc and leaves them out).
    static func inScope(_ name: String) -> Bool {
        if name == "node_network_receive_nohandler_total" { return false }
        let prefixes = ["node_cpu_seconds_total", "node_cpu_guest_seconds_total", "node_memory_", "node_load", "node_filesystem_",
                        "node_boot_time_seconds", "node_context_switches_total", "node_intr_total", "node_forks_total",
                        "node_procs_", "node_uname_info", "node_time_seconds", "node_pressure_"]
        if prefixes.contains(where: { name.hasPrefix($0) }) { return true }
        if name.hasPrefix("node_network_receive_") || name.hasPrefix("node_network_transmit_") { return name.hasSuffix("_total") }
        return name.hasPrefix("node_disk_") && name != "node_disk_info"
    }

    /// Gauges that cannot change between two reads a moment apart.
    static let fixedGauges: Set<String> = [
        "node_boot_time_seconds", "node_memory_MemTotal_bytes", "node_memory_SwapTotal_bytes", "node_memory_HugePages_Total",
        "node_memory_Hugepagesize_bytes", "node_memory_VmallocTotal_bytes", "node_filesystem_size_bytes",
        "node_filesystem_files", "node_filesystem_readonly", "node_filesystem_device_error", "node_uname_info",
    ]

    @Test func agreesWithNodeExporterOnTheSameHost() throws {
        let nodeExporter = try NodeExporter()
        defer { nodeExporter.stop() }
        let collector = NodeCollector(paths: NodePaths(procRoot: "/proc", sysRoot: "/sys", rootfs: "/"))

        let before = ParsedExposition(try nodeExporter.scrape())
        let result = collector.collect()
        let after = ParsedExposition(try nodeExporter.scrape())
        #expect(result.failures.isEmpty, "\(result.failures)")
        let ours = ParsedExposition(String(decoding: ExpositionEncoder(format: .prometheusText).encode(result.families), as: UTF8.self))

        let theirFamilies = before.names.filter(Self.inScope)
        #expect(theirFamilies.count > 60, "node_exporter gave only \(theirFamilies.sorted())")
        let missing = theirFamilies.subtracting(ours.names)
        #expect(missing.isEmpty, "families node_exporter has and Telegen lacks: \(missing.sorted())")
        let extra = ours.names.subtracting(before.names)
        // Newer kernels' files node_exporter 1.5.0 predates (irq pressure) are the only allowed extras.
        #expect(extra.subtracting(["node_pressure_irq_stalled_seconds_total"]).isEmpty, "families only Telegen has: \(extra.sorted())")

        for name in theirFamilies.sorted() where ours.names.contains(name) {
            #expect(ours.types[name] == before.types[name], "\(name): TYPE \(ours.types[name] ?? "-") vs \(before.types[name] ?? "-")")
            let theirs = Dictionary(before.samples(named: name).map { ($0.labels, $0.value) }, uniquingKeysWith: { a, _ in a })
            let theirsAfter = Dictionary(after.samples(named: name).map { ($0.labels, $0.value) }, uniquingKeysWith: { a, _ in a })
            let mine = Dictionary(ours.samples(named: name).map { ($0.labels, $0.value) }, uniquingKeysWith: { a, _ in a })
            #expect(Set(mine.keys) == Set(theirs.keys), "\(name): label sets differ\n ours: \(mine.keys)\n theirs: \(theirs.keys)")
            for (labels, value) in mine {
                guard let first = theirs[labels].flatMap(Double.init), let last = theirsAfter[labels].flatMap(Double.init),
                      let ourValue = Double(value) else { continue }
                let type = before.types[name]
                if Self.fixedGauges.contains(name) {
                    #expect(ourValue == first, "\(name)\(labels): \(value) vs node_exporter \(first)")
                } else if type == "counter" {
                    // Counters only grow: ours was read between node_exporter's two reads.
                    #expect(first <= ourValue && ourValue <= last, "\(name)\(labels): \(value) not within [\(first), \(last)]")
                } else if name == "node_time_seconds" {
                    #expect(abs(ourValue - first) < 5)
                } else if name.hasPrefix("node_filesystem_") {
                    let tolerance: Double = max(64 * 1024 * 1024, abs(last - first)) + 1
                    #expect(abs(ourValue - first) <= tolerance, "\(name)\(labels)")
                } else if name.hasPrefix("node_memory_") && name.hasSuffix("_bytes") {
                    // Moving gauges: close to node_exporter's, within what a busy test host moves in a moment.
                    let tolerance: Double = max(256 * 1024 * 1024, first * 0.2)
                    #expect(abs(ourValue - first) <= tolerance, "\(name): \(value) vs \(first)")
                }
            }
        }
    }

    /// Every number node_exporter (Go) prints, printed again by Telegen's formatter.
    @Test func formatsNumbersExactlyAsGoDoes() throws {
        let nodeExporter = try NodeExporter()
        defer { nodeExporter.stop() }
        let samples = ParsedExposition(try nodeExporter.scrape()).samples
        #expect(samples.count > 200)
        for sample in samples {
            guard let value = Double(sample.value) else {
                Issue.record("unparseable \(sample.value)")
                continue
            }
            #expect(GoFloatFormat.string(value) == sample.value, "\(sample.name): Go printed \(sample.value)")
        }
    }
}
