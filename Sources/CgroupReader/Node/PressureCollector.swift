import TelemetryModel

/// `/proc/pressure/*`: node_exporter's pressure stall counters. The files exist only
/// on kernels with PSI enabled; without them there is nothing to report, which is
/// not an error.
final class PressureCollector: NodeSubsystem {
    let name = "pressure"
    private let sources: [String: KernelFileSource]
    private let bootTimeUnixNano: UInt64?
    private static let resources = ["cpu", "io", "memory", "irq"]

    private struct Family {
        var resource: String
        var full: Bool
        var name: String
        var help: String
    }

    /// The system-wide CPU "full" line (kernel 5.13+) is not exported, as upstream.
    private static let families: [Family] = [
        Family(resource: "cpu", full: false, name: "node_pressure_cpu_waiting_seconds_total",
               help: "Total time in seconds that processes have waited for CPU time"),
        Family(resource: "io", full: false, name: "node_pressure_io_waiting_seconds_total",
               help: "Total time in seconds that processes have waited due to IO congestion"),
        Family(resource: "io", full: true, name: "node_pressure_io_stalled_seconds_total",
               help: "Total time in seconds no process could make progress due to IO congestion"),
        Family(resource: "memory", full: false, name: "node_pressure_memory_waiting_seconds_total",
               help: "Total time in seconds that processes have waited for memory"),
        Family(resource: "memory", full: true, name: "node_pressure_memory_stalled_seconds_total",
               help: "Total time in seconds no process could make progress due to memory congestion"),
        Family(resource: "irq", full: true, name: "node_pressure_irq_stalled_seconds_total",
               help: "Total time in seconds no process could make progress due to IRQ congestion"),
    ]

    init(directory: String, bootTimeUnixNano: UInt64?) {
        sources = Dictionary(uniqueKeysWithValues: Self.resources.map {
            ($0, KernelFileSource(path: NodePaths.join(directory, $0), initialCapacity: 256))
        })
        self.bootTimeUnixNano = bootTimeUnixNano
    }

    func collect(into families: inout [MetricFamily]) throws {
        var stats: [String: Pressure] = [:]
        for resource in Self.resources {
            do {
                stats[resource] = try sources[resource]!.read(Pressure.parse)
            } catch KernelFileError.missing {
                continue  // no PSI, or no irq accounting before 6.1
            } catch KernelFileError.unreadable(_, let code) where code == 95 /* EOPNOTSUPP: psi=0 */ {
                continue
            }
        }
        for family in Self.families {
            guard let pressure = stats[family.resource], let line = family.full ? pressure.full : pressure.some else { continue }
            // node_exporter divides twice; one division by 1e6 can differ in the last bit.
            let seconds = Double(line.totalMicroseconds) / 1000.0 / 1000.0
            families.append(MetricFamily(name: family.name, help: family.help, type: .counter, unit: "s",
                                         series: [Series(value: seconds, startTimeUnixNano: bootTimeUnixNano)]))
        }
    }
}
