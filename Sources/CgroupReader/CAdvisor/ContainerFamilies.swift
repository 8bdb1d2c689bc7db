import TelemetryModel

/// cAdvisor's container families as the kubelet serves them on `/metrics/cadvisor`:
/// name, HELP, type and the rule that turns a row into series, one entry per family
/// (cAdvisor's `metrics/prometheus.go` is the reference). Conditions follow
/// cAdvisor's: CFS counters and the quota only with a quota set, CPU usage only once
/// it is above zero, network only on rows that own a network namespace.
struct ContainerFamily: Sendable {
    let header: FamilyHeader
    let rule: Rule

    var name: String { header.name }

    init(name: String, help: String, type: MetricType, unit: String, rule: Rule) {
        header = FamilyHeader(name: name, help: help, type: type, unit: unit)
        self.rule = rule
    }

    /// How a row becomes series. The common shapes are cases of their own, so the
    /// render loops over the rows inside one shape and calls one small closure per row
    /// (a closure wrapping another cost a third of the render).
    enum Rule: Sendable {
        /// One series with the row's base labels when the value exists; a counter's
        /// carries the row's start time.
        case single(@Sendable (ContainerRow) -> Double?)
        /// One series per block device of the row.
        case perDevice(@Sendable (CgroupStats.DeviceIO) -> UInt64)
        /// One series per network interface of the row.
        case perInterface(@Sendable (NetDev.Device) -> UInt64)
        /// Anything else: calls `emit` with each series' labels, value and start.
        case custom(@Sendable (ContainerRow, ContainerFamilies.Context, _ emit: (SampleLabels, Double, UInt64?) -> Void) -> Void)
    }

    /// Calls `emit` with each series the family has in `rows`, row by row. The label
    /// sets are the rows' own, kept in the written form: a render copies no label in.
    /// Rows must be finished (`ContainerRow.finish`).
    func forEachSeries(in rows: [ContainerRow], context: ContainerFamilies.Context,
                       _ emit: (_ labels: SampleLabels, _ value: Double, _ startTimeUnixNano: UInt64?) -> Void) {
        switch rule {
        case .single(let value):
            let counter = header.type == .counter
            for row in rows {
                guard let labels = row.baseLabels, let value = value(row) else { continue }
                emit(labels, value, counter ? row.startTimeUnixNano : nil)
            }
        case .perDevice(let value):
            for row in rows {
                for device in row.devices { emit(device.labels, Double(value(device.io)), row.startTimeUnixNano) }
            }
        case .perInterface(let value):
            for row in rows {
                guard let network = row.network else { continue }
                for interface in network { emit(interface.labels, Double(value(interface.counters)), row.startTimeUnixNano) }
            }
        case .custom(let series):
            for row in rows { series(row, context, emit) }
        }
    }
}

enum ContainerFamilies {
    struct Context: Sendable {
        /// `container_last_seen`: the cycle's time in whole seconds.
        var nowSeconds: Double
    }

    /// How many series the families have in `rows` (finished rows), as a render
    /// writes them, without writing them: the agent's self-metrics ask every cycle.
    /// Rows outside, families inside: visiting the rows once per family retains and
    /// releases each row once per family, most of what counting cost.
    static func seriesCount(in rows: [ContainerRow], context: Context) -> Int {
        var count = 0
        table.withUnsafeBufferPointer { families in
            for row in rows {
                for index in families.indices {
                    switch families[index].rule {
                    case .single(let value): if value(row) != nil { count += 1 }
                    case .perDevice: count += row.devices.count
                    case .perInterface: count += row.network?.count ?? 0
                    case .custom(let series): series(row, context) { _, _, _ in count += 1 }
                    }
                }
            }
        }
        return count
    }

    /// Sorted by name, as the registry writes them.
    static let table: [ContainerFamily] = cpu + fs + [lastSeen] + memory + network + [oomEvents] + pressure + [processes] + spec + [threads]

    // MARK: CPU

    private static let cpu: [ContainerFamily] = [
        counter("container_cpu_cfs_periods_total", "Number of elapsed enforcement period intervals.", "{period}") { row in
            row.spec.cpu?.quota != nil ? row.stats.cpu?.periods.map { Double($0) } ?? 0 : nil
        },
        counter("container_cpu_cfs_throttled_periods_total", "Number of throttled period intervals.", "{period}") { row in
            row.spec.cpu?.quota != nil ? row.stats.cpu?.throttledPeriods.map { Double($0) } ?? 0 : nil
        },
        counter("container_cpu_cfs_throttled_seconds_total", "Total time duration the container has been throttled.", "s") { row in
            row.spec.cpu?.quota != nil ? row.stats.cpu?.throttledSeconds ?? 0 : nil
        },
        counter("container_cpu_system_seconds_total", "Cumulative system cpu time consumed in seconds.", "s") { $0.stats.cpu?.systemSeconds },
        ContainerFamily(name: "container_cpu_usage_seconds_total", help: "Cumulative cpu time consumed in seconds.",
                        type: .counter, unit: "s", rule: .custom { row, _, emit in
            // The kubelet collects no per-CPU usage: one `cpu="total"` series, once usage is above zero.
            guard let usage = row.stats.cpu?.usageSeconds, usage > 0, let labels = row.cpuLabels else { return }
            emit(labels, usage, row.startTimeUnixNano)
        }),
        counter("container_cpu_user_seconds_total", "Cumulative user cpu time consumed in seconds.", "s") { $0.stats.cpu?.userSeconds },
    ]

    // MARK: Block I/O

    private static let fs: [ContainerFamily] = [
        device("container_fs_reads_bytes_total", "Cumulative count of bytes read", "By") { $0.readBytes },
        device("container_fs_reads_total", "Cumulative count of reads completed", "{read}") { $0.reads },
        device("container_fs_writes_bytes_total", "Cumulative count of bytes written", "By") { $0.writeBytes },
        device("container_fs_writes_total", "Cumulative count of writes completed", "{write}") { $0.writes },
    ]

    private static let lastSeen = ContainerFamily(
        name: "container_last_seen", help: "Last time a container was seen by the exporter", type: .gauge, unit: "s",
        rule: .custom { row, context, emit in
            if let labels = row.baseLabels { emit(labels, context.nowSeconds, nil) }
        })

    // MARK: Memory

    private static let memory: [ContainerFamily] = [
        gauge("container_memory_cache", "Number of bytes of page cache memory.", "By") { $0.stats.memory.map { Double($0.cache) } },
        counter("container_memory_failcnt", "Number of memory usage hits limits", "{failure}") { $0.stats.memory.map { Double($0.failcnt) } },
        ContainerFamily(name: "container_memory_failures_total", help: "Cumulative count of memory allocation failures.",
                        type: .counter, unit: "{failure}", rule: .custom { row, _, emit in
            guard let memory = row.stats.memory else { return }
            // `CAdvisorLabels.failures`' order: pgfault, then pgmajfault, each for both scopes.
            let labels = row.failureLabels
            for index in labels.indices {
                emit(labels[index], Double(index < 2 ? memory.pageFaults : memory.majorPageFaults), row.startTimeUnixNano)
            }
        }),
        gauge("container_memory_mapped_file", "Size of memory mapped files in bytes.", "By") { $0.stats.memory.map { Double($0.mappedFile) } },
        gauge("container_memory_max_usage_bytes", "Maximum memory usage recorded in bytes", "By") { $0.stats.memory.map { Double($0.maxUsage) } },
        gauge("container_memory_rss", "Size of RSS in bytes.", "By") { $0.stats.memory.map { Double($0.rss) } },
        gauge("container_memory_swap", "Container swap usage in bytes.", "By") { $0.stats.memory.map { Double($0.swap) } },
        gauge("container_memory_usage_bytes", "Current memory usage in bytes, including all memory regardless of when it was accessed", "By") {
            $0.stats.memory.map { Double($0.usage) }
        },
        gauge("container_memory_working_set_bytes", "Current working set in bytes.", "By") { $0.stats.memory.map { Double($0.workingSet) } },
    ]

    // MARK: Network

    private static let network: [ContainerFamily] = [
        interface("container_network_receive_bytes_total", "Cumulative count of bytes received", "By") { $0.receive[0] },
        interface("container_network_receive_errors_total", "Cumulative count of errors encountered while receiving", "{error}") { $0.receive[2] },
        interface("container_network_receive_packets_dropped_total", "Cumulative count of packets dropped while receiving", "{packet}") {
            $0.receive[3]
        },
        interface("container_network_receive_packets_total", "Cumulative count of packets received", "{packet}") { $0.receive[1] },
        interface("container_network_transmit_bytes_total", "Cumulative count of bytes transmitted", "By") { $0.transmit[0] },
        interface("container_network_transmit_errors_total", "Cumulative count of errors encountered while transmitting", "{error}") {
            $0.transmit[2]
        },
        interface("container_network_transmit_packets_dropped_total", "Cumulative count of packets dropped while transmitting", "{packet}") {
            $0.transmit[3]
        },
        interface("container_network_transmit_packets_total", "Cumulative count of packets transmitted", "{packet}") { $0.transmit[1] },
    ]

    private static let oomEvents = counter("container_oom_events_total", "Count of out of memory events observed for the container", "{event}") {
        $0.stats.memory.map { Double($0.oomKills) }
    }

    // MARK: Pressure (cgroup v2 with PSI)

    private static let pressure: [ContainerFamily] = [
        counter("container_pressure_cpu_stalled_seconds_total",
                "Total time duration no tasks in the container could make progress due to CPU congestion.", "s") {
            stallSeconds($0, $0.stats.cpuPressure?.full)
        },
        counter("container_pressure_cpu_waiting_seconds_total",
                "Total time duration tasks in the container have waited due to CPU congestion.", "s") {
            stallSeconds($0, $0.stats.cpuPressure?.some)
        },
        counter("container_pressure_io_stalled_seconds_total",
                "Total time duration no tasks in the container could make progress due to IO congestion.", "s") {
            stallSeconds($0, $0.stats.ioPressure?.full)
        },
        counter("container_pressure_io_waiting_seconds_total",
                "Total time duration tasks in the container have waited due to IO congestion.", "s") {
            stallSeconds($0, $0.stats.ioPressure?.some)
        },
        counter("container_pressure_memory_stalled_seconds_total",
                "Total time duration no tasks in the container could make progress due to memory congestion.", "s") {
            stallSeconds($0, $0.stats.memoryPressure?.full)
        },
        counter("container_pressure_memory_waiting_seconds_total",
                "Total time duration tasks in the container have waited due to memory congestion.", "s") {
            stallSeconds($0, $0.stats.memoryPressure?.some)
        },
    ]

    private static let processes = gauge("container_processes", "Number of processes running inside the container.", "{process}") {
        Double($0.stats.processes ?? 0)
    }

    // MARK: Spec (limits and start time)

    private static let spec: [ContainerFamily] = [
        gauge("container_spec_cpu_period", "CPU period of the container.", "us") { $0.spec.cpu.map { Double($0.period) } },
        gauge("container_spec_cpu_quota", "CPU quota of the container.", "us") { $0.spec.cpu?.quota.map { Double($0) } },
        gauge("container_spec_cpu_shares", "CPU share of the container.", "1") { $0.spec.cpu.map { Double($0.shares) } },
        gauge("container_spec_memory_limit_bytes", "Memory limit for the container.", "By") { $0.spec.memory.map { Double($0.limit) } },
        gauge("container_spec_memory_reservation_limit_bytes", "Memory reservation limit for the container.", "By") {
            $0.spec.memory.map { Double($0.reservation) }
        },
        gauge("container_spec_memory_swap_limit_bytes", "Memory swap limit for the container.", "By") { $0.spec.memory.map { Double($0.swapLimit) } },
        gauge("container_start_time_seconds", "Start time of the container since unix epoch in seconds.", "s") {
            $0.spec.startTime.rounded(.down)
        },
    ]

    private static let threads = gauge("container_threads", "Number of threads running inside the container", "{thread}") {
        Double($0.stats.threads ?? 0)
    }

    // MARK: Builders

    private static func gauge(_ name: String, _ help: String, _ unit: String,
                              _ value: @escaping @Sendable (ContainerRow) -> Double?) -> ContainerFamily {
        ContainerFamily(name: name, help: help, type: .gauge, unit: unit, rule: .single(value))
    }

    private static func counter(_ name: String, _ help: String, _ unit: String,
                                _ value: @escaping @Sendable (ContainerRow) -> Double?) -> ContainerFamily {
        ContainerFamily(name: name, help: help, type: .counter, unit: unit, rule: .single(value))
    }

    private static func device(_ name: String, _ help: String, _ unit: String,
                               _ value: @escaping @Sendable (CgroupStats.DeviceIO) -> UInt64) -> ContainerFamily {
        ContainerFamily(name: name, help: help, type: .counter, unit: unit, rule: .perDevice(value))
    }

    private static func interface(_ name: String, _ help: String, _ unit: String,
                                  _ value: @escaping @Sendable (NetDev.Device) -> UInt64) -> ContainerFamily {
        ContainerFamily(name: name, help: help, type: .counter, unit: unit, rule: .perInterface(value))
    }

    /// PSI `total=` in microseconds; a row whose cgroup has no pressure files gets none
    /// of these series, and a missing `full` line counts as zero, as in cAdvisor. A
    /// function the families' closures call, not a closure they capture: closures
    /// without captures are not reference counted at each call.
    private static func stallSeconds(_ row: ContainerRow, _ line: Pressure.Line?) -> Double? {
        guard row.stats.cpuPressure != nil || row.stats.memoryPressure != nil || row.stats.ioPressure != nil else { return nil }
        return Double(line?.totalMicroseconds ?? 0) / 1e6
    }
}
