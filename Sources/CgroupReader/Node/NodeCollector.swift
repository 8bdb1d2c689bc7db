import TelemetryModel

#if canImport(Glibc)
import Glibc
#endif

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
            NetDevCollector(path: Self.hostNetDev(paths: paths), bootTimeUnixNano: bootTime),
            DiskStatsCollector(path: paths.proc("diskstats"), bootTimeUnixNano: bootTime),
            FilesystemCollector(paths: paths),
            PressureCollector(directory: paths.proc("pressure"), bootTimeUnixNano: bootTime),
            UnameCollector(),
            TimeCollector(),
        ])
    }

    /// The node's interfaces: `<proc>/1/net/dev` (init's network namespace, which is the
    /// host's) when it can be read, else `<proc>/net/dev`. The latter resolves through
    /// `/proc/self` to the reader's own namespace, which in a pod without `hostNetwork`
    /// is the pod's, not the node's; `1/net/dev` is world-readable, so no capability is
    /// involved. Under `hidepid` PID 1 is invisible and the fallback applies.
    static func hostNetDev(paths: NodePaths) -> String {
        let initNamespace = paths.proc("1/net/dev")
        return access(initNamespace, R_OK) == 0 ? initNamespace : paths.proc("net/dev")
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
        let (nanoseconds, overflow) = bootTime.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? nil : nanoseconds
    }
}
