import TelemetryModel
import Synchronization

/// `/proc/stat`: node_exporter's `cpu` and `stat` collectors, from one read.
final class ProcStatCollector: NodeSubsystem {
    let name = "stat"
    private let source: KernelFileSource
    private let bootTimeUnixNano: UInt64?
    /// Last published CPU times per CPU, for the backwards-jump clamp.
    private let published = Mutex<[Int: ProcStat.CPUTimes]>([:])

    private static let cpuModeLabels = ["cpu", "mode"]
    private static let modes = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"]
    /// node_exporter resets a CPU whose idle time went back by 3 s or more (a hotplug).
    private static let jumpBackTicks: UInt64 = 300

    init(path: String, bootTimeUnixNano: UInt64?) {
        source = KernelFileSource(path: path)
        self.bootTimeUnixNano = bootTimeUnixNano
    }

    func collect(into families: inout [MetricFamily]) throws {
        let stat = try source.read(ProcStat.parse)
        let cpus = published.withLock { Self.clamp(stat.cpus, published: &$0) }
        let start = bootTimeUnixNano

        var seconds: [Series] = []
        seconds.reserveCapacity(cpus.count * Self.modes.count)
        var guest: [Series] = []
        guest.reserveCapacity(cpus.count * 2)
        for times in cpus {
            let cpu = String(times.cpu)
            let values = [times.user, times.nice, times.system, times.idle, times.iowait, times.irq, times.softirq, times.steal]
            for (mode, ticks) in zip(Self.modes, values) {
                seconds.append(Series(labels: LabelSet(names: Self.cpuModeLabels, values: [cpu, mode]),
                                      value: Self.seconds(ticks), startTimeUnixNano: start))
            }
            guest.append(Series(labels: LabelSet(names: Self.cpuModeLabels, values: [cpu, "user"]),
                                value: Self.seconds(times.guest), startTimeUnixNano: start))
            guest.append(Series(labels: LabelSet(names: Self.cpuModeLabels, values: [cpu, "nice"]),
                                value: Self.seconds(times.guestNice), startTimeUnixNano: start))
        }
        families.append(MetricFamily(name: "node_cpu_seconds_total", help: "Seconds the CPUs spent in each mode.",
                                     type: .counter, unit: "s", series: seconds))
        families.append(MetricFamily(name: "node_cpu_guest_seconds_total",
                                     help: "Seconds the CPUs spent in guests (VMs) for each mode.",
                                     type: .counter, unit: "s", series: guest))

        func single(_ name: String, _ help: String, _ type: MetricType, _ unit: String, _ value: UInt64?) {
            guard let value else { return }
            families.append(MetricFamily(name: name, help: help, type: type, unit: unit, series: [
                Series(value: Double(value), startTimeUnixNano: type == .counter ? start : nil),
            ]))
        }
        single("node_boot_time_seconds", "Node boot time, in unixtime.", .gauge, "s", stat.bootTime)
        single("node_context_switches_total", "Total number of context switches.", .counter, "{switch}", stat.contextSwitches)
        single("node_intr_total", "Total number of interrupts serviced.", .counter, "{interrupt}", stat.interrupts)
        single("node_forks_total", "Total number of forks.", .counter, "{fork}", stat.forks)
        single("node_procs_running", "Number of processes in runnable state.", .gauge, "{process}", stat.procsRunning)
        single("node_procs_blocked", "Number of processes blocked waiting for I/O to complete.", .gauge, "{process}", stat.procsBlocked)
    }

    /// USER_HZ ticks to seconds the way node_exporter's procfs does it: a division by 100.
    private static func seconds(_ ticks: UInt64) -> Double { Double(ticks) / 100 }

    /// node_exporter's guard against CPU counters that go backwards: each field keeps
    /// its previous value when the new one is lower, except that a CPU whose idle time
    /// fell by 3 s or more starts over (it was hot-unplugged and came back). CPUs that
    /// went offline are forgotten.
    static func clamp(_ fresh: [ProcStat.CPUTimes], published: inout [Int: ProcStat.CPUTimes]) -> [ProcStat.CPUTimes] {
        var result: [ProcStat.CPUTimes] = []
        result.reserveCapacity(fresh.count)
        for new in fresh {
            var old = published[new.cpu] ?? ProcStat.CPUTimes(cpu: new.cpu)
            if old.idle > new.idle && old.idle - new.idle >= jumpBackTicks {
                old = ProcStat.CPUTimes(cpu: new.cpu)
            }
            old.user = max(old.user, new.user)
            old.nice = max(old.nice, new.nice)
            old.system = max(old.system, new.system)
            old.idle = max(old.idle, new.idle)
            old.iowait = max(old.iowait, new.iowait)
            old.irq = max(old.irq, new.irq)
            old.softirq = max(old.softirq, new.softirq)
            old.steal = max(old.steal, new.steal)
            old.guest = max(old.guest, new.guest)
            old.guestNice = max(old.guestNice, new.guestNice)
            published[new.cpu] = old
            result.append(old)
        }
        if published.count != fresh.count {
            let online = Set(fresh.map(\.cpu))
            published = published.filter { online.contains($0.key) }
        }
        return result
    }
}
