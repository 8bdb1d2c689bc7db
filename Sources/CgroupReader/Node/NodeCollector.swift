import TelemetryModel

/// node_exporter's families for this node (the subset node dashboards use), built
/// from the subsystems below. Families come out sorted by name, as node_exporter
/// writes them, and families without series are left out, as node_exporter does.
public final class NodeCollector: Collector {
    public let name = "node"
    private let subsystems: [any NodeSubsystem]

    init(subsystems: [any NodeSubsystem]) {
        self.subsystems = subsystems
    }

    /// The standard set of subsystems for the paths given.
    public convenience init(paths: NodePaths) {
        // Kernel counters start at boot: that is their OTLP start time.
        let bootTime = Self.bootTimeUnixNano(paths: paths)
        self.init(subsystems: [
            ProcStatCollector(path: paths.proc("stat"), bootTimeUnixNano: bootTime),
            MemInfoCollector(path: paths.proc("meminfo")),
            LoadAverageCollector(path: paths.proc("loadavg")),
            NetDevCollector(path: paths.proc("net/dev"), bootTimeUnixNano: bootTime),
            DiskStatsCollector(path: paths.proc("diskstats"), bootTimeUnixNano: bootTime),
            FilesystemCollector(paths: paths),
            PressureCollector(directory: paths.proc("pressure"), bootTimeUnixNano: bootTime),
            UnameCollector(),
            TimeCollector(),
        ])
    }

    public func collect() -> CollectionResult {
        var families: [MetricFamily] = []
        families.reserveCapacity(128)
        var failures: [CollectionFailure] = []
        for subsystem in subsystems {
            do {
                try subsystem.collect(into: &families)
            } catch {
                failures.append(CollectionFailure(subsystem: subsystem.name, message: "\(error)"))
            }
        }
        families.removeAll { $0.series.isEmpty }
        families.sort { $0.name < $1.name }
        return CollectionResult(families: families, failures: failures)
    }

    private static func bootTimeUnixNano(paths: NodePaths) -> UInt64? {
        guard let stat = try? KernelFileSource(path: paths.proc("stat")).read(ProcStat.parse),
              let bootTime = stat.bootTime else { return nil }
        return bootTime * 1_000_000_000
    }
}
