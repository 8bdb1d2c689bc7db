import TelemetryModel

/// One cgroup as cAdvisor reports it: its base labels and what was read from it in
/// this cycle. The family table turns rows into series.
///
/// A class, not a struct: every one of the forty-odd families visits every row, and
/// passing a struct of this size to a family's closure copied it each time (a retain
/// and a release of each array in it), a tenth of the cycle's CPU. A row lives within
/// one cycle on one thread, and is read once more by the next cycle: what is known of a
/// cgroup between cycles (its limits, whether it is a sandbox, its label sets) is its
/// last row.
final class ContainerRow {
    /// Values of `CAdvisorLabels.base`, in that order.
    var labels: [String] {
        didSet { baseLabels = LabelSet(names: CAdvisorLabels.base, values: labels) }
    }
    /// `labels` with their names, made once: most families' series carry exactly these.
    private(set) var baseLabels: LabelSet
    var stats: CgroupStats
    var spec: CgroupSpec
    /// Per device: its label set (with cAdvisor's `/dev/<name>`, empty when it cannot
    /// be named), made once and shared by the four `container_fs_*` families.
    private(set) var devices: [(labels: LabelSet, io: CgroupStats.DeviceIO)] = []
    /// Interfaces of the row's network namespace, each with its label set shared by the
    /// eight network families; nil for rows cAdvisor gives no network series
    /// (everything but the root and the pod sandboxes).
    private(set) var network: [(labels: LabelSet, counters: NetDev.Device)]?
    /// The counters' start: the cgroup's creation, in Unix nanoseconds.
    var startTimeUnixNano: UInt64
    /// Whether the container is its pod's sandbox, once known (carried to the next
    /// cycle's row of the cgroup).
    var isSandbox: Bool?
    /// A hierarchy level's (root, `kubepods`, QoS) `memory.stat`, read on refresh cycles
    /// only and carried to the next cycle's row.
    var hierarchyMemoryStat: CgroupStatsReader.MemoryStat?

    /// The label sets of `container_cpu_usage_seconds_total` and
    /// `container_memory_failures_total`, made on first use.
    private var cpuLabelSet: LabelSet?
    private var failureLabelSets: [LabelSet]?
    /// The last cycle's device and interface label sets of the same cgroup, while its
    /// labels are the same (`adoptLabels`): `setDevices` and `setNetwork` take them
    /// instead of making new ones when the names match.
    private var previousDevices: [(labels: LabelSet, io: CgroupStats.DeviceIO)] = []
    private var previousNetwork: [(labels: LabelSet, counters: NetDev.Device)] = []

    init(labels: [String], stats: CgroupStats, spec: CgroupSpec) {
        self.labels = labels
        baseLabels = LabelSet(names: CAdvisorLabels.base, values: labels)
        self.stats = stats
        self.spec = spec
        startTimeUnixNano = Self.unixNanoseconds(spec.startTime)
    }

    /// A modification time after 2554 (a clock set far ahead) does not fit UInt64 nanoseconds.
    static func unixNanoseconds(_ seconds: Double) -> UInt64 {
        let nanoseconds = seconds * 1e9
        guard nanoseconds > 0 else { return 0 }
        return nanoseconds < 0x1p64 ? UInt64(nanoseconds) : .max
    }

    /// Takes the label sets the last cycle's row of the same cgroup made, when its
    /// labels are the same: a steady node's label sets are then made once, not every
    /// cycle (they were a thousand of a cycle's four thousand allocations). Call once
    /// `labels` are final, before `setDevices` and `setNetwork`.
    func adoptLabels(from previous: ContainerRow) {
        guard previous.labels == labels else { return }
        baseLabels = previous.baseLabels
        cpuLabelSet = previous.cpuLabelSet
        failureLabelSets = previous.failureLabelSets
        previousDevices = previous.devices
        previousNetwork = previous.network ?? []
    }

    /// Drops the device and interface label sets taken from the last cycle's row at the
    /// end of the cycle, those not used too (a row without network or devices now), so
    /// that the rows kept for the next cycle hold only their own.
    func forgetPreviousLabelSets() {
        previousDevices = []
        previousNetwork = []
    }

    /// Call once `labels` are final.
    func setDevices(_ named: [(name: String, io: CgroupStats.DeviceIO)]) {
        devices = named.enumerated().map { index, device in
            if index < previousDevices.count, previousDevices[index].labels.values[CAdvisorLabels.Extra.device.position] == device.name {
                return (previousDevices[index].labels, device.io)
            }
            return (labels(adding: .device, device.name), device.io)
        }
    }

    /// Call once `labels` are final.
    func setNetwork(_ interfaces: [NetDev.Device]?) {
        network = interfaces?.enumerated().map { index, interface in
            if index < previousNetwork.count, previousNetwork[index].counters.name == interface.name {
                return (previousNetwork[index].labels, interface)
            }
            return (labels(adding: .interface, interface.name), interface)
        }
    }

    /// The base labels with `cpu="total"`.
    var cpuLabels: LabelSet {
        if let cpuLabelSet { return cpuLabelSet }
        let made = labels(adding: .cpu, "total")
        cpuLabelSet = made
        return made
    }

    /// `CAdvisorLabels.failures`' label sets, in that order.
    var failureLabels: [LabelSet] {
        if let failureLabelSets { return failureLabelSets }
        let made = CAdvisorLabels.failures.map { CAdvisorLabels.failure(self, type: $0.type, scope: $0.scope) }
        failureLabelSets = made
        return made
    }

    /// The base labels with one more, placed where its name sorts.
    func labels(adding name: CAdvisorLabels.Extra, _ value: String) -> LabelSet {
        var values: [String] = []
        values.reserveCapacity(labels.count + 1)
        values += labels[..<name.position]
        values.append(value)
        values += labels[name.position...]
        return LabelSet(names: name.names, values: values)
    }
}

/// The kubelet's registry writes label names sorted, so every cAdvisor series has its
/// base labels in this order, with extra labels slotted in alphabetically.
enum CAdvisorLabels {
    static let base = ["container", "id", "image", "name", "namespace", "pod"]

    enum Extra {
        case cpu, device, interface

        var position: Int {
            switch self {
            case .cpu, .device: 1
            case .interface: 3
            }
        }

        var names: [String] {
            switch self {
            case .cpu: CAdvisorLabels.withCPU
            case .device: CAdvisorLabels.withDevice
            case .interface: CAdvisorLabels.withInterface
            }
        }
    }

    static let withCPU = ["container", "cpu", "id", "image", "name", "namespace", "pod"]
    static let withDevice = ["container", "device", "id", "image", "name", "namespace", "pod"]
    static let withInterface = ["container", "id", "image", "interface", "name", "namespace", "pod"]
    static let withFailure = ["container", "failure_type", "id", "image", "name", "namespace", "pod", "scope"]
    /// cAdvisor reports the cgroup's own fault counters under both scopes.
    static let failures: [(type: String, scope: String)] = [("pgfault", "container"), ("pgfault", "hierarchy"),
                                                            ("pgmajfault", "container"), ("pgmajfault", "hierarchy")]

    static func failure(_ row: ContainerRow, type: String, scope: String) -> LabelSet {
        var values: [String] = []
        values.reserveCapacity(row.labels.count + 2)
        values.append(row.labels[0])
        values.append(type)
        values += row.labels[1...]
        values.append(scope)
        return LabelSet(names: withFailure, values: values)
    }
}
