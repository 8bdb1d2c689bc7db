import TelemetryModel

/// One cgroup as cAdvisor reports it: its base labels and what was read from it in
/// this cycle. The family table turns rows into series.
///
/// A class, not a struct: every one of the forty-odd families visits every row, and
/// passing a struct of this size to a family's closure copied it each time (a retain
/// and a release of each array in it), a tenth of the cycle's CPU. A row is changed
/// only by the cycle that makes it, up to `finish()`; then it is published
/// (`ContainerSnapshot`, read by scrapes and pushes on any thread) and read once more
/// by the next cycle: what is known of a cgroup between cycles (its limits, whether it
/// is a sandbox, its label sets) is its last row.
final class ContainerRow {
    /// Values of `CAdvisorLabels.base`, in that order.
    let labels: [String]
    /// `labels` with their names, in the form a render writes (`SampleLabels`): most
    /// families' series carry exactly these. Made by `finish()` unless taken from the
    /// last cycle's row; nil only before.
    private(set) var baseLabels: SampleLabels?
    let stats: CgroupStats
    let spec: CgroupSpec
    /// Per device: its name (cAdvisor's `/dev/<name>`, empty when it cannot be named)
    /// and its label set, made once and shared by the four `container_fs_*` families.
    private(set) var devices: [(name: String, labels: SampleLabels, io: CgroupStats.DeviceIO)] = []
    /// Interfaces of the row's network namespace, each with its label set shared by the
    /// eight network families; nil for rows cAdvisor gives no network series
    /// (everything but the root and the pod sandboxes).
    private(set) var network: [(labels: SampleLabels, counters: NetDev.Device)]?
    /// The counters' start: the cgroup's creation, in Unix nanoseconds.
    let startTimeUnixNano: UInt64
    /// Whether the container is its pod's sandbox, once known (carried to the next
    /// cycle's row of the cgroup). Like every `var` here, set only before `finish()`
    /// (`ContainerSnapshot` shares finished rows across threads).
    var isSandbox: Bool?
    /// A hierarchy level's (root, `kubepods`, QoS) `memory.stat`, read on refresh cycles
    /// only and carried to the next cycle's row. Set only before `finish()`.
    var hierarchyMemoryStat: CgroupStatsReader.MemoryStat?

    /// The label sets of `container_cpu_usage_seconds_total` (the base labels with
    /// `cpu="total"`) and `container_memory_failures_total` (`CAdvisorLabels.failures`'
    /// order), made by `finish()` unless taken from the last cycle's row.
    private(set) var cpuLabels: SampleLabels?
    private(set) var failureLabels: [SampleLabels] = []
    /// The last cycle's device and interface label sets of the same cgroup, while its
    /// labels are the same (`adoptLabels`): `setDevices` and `setNetwork` take them
    /// instead of making new ones when the names match.
    private var previousDevices: [(name: String, labels: SampleLabels, io: CgroupStats.DeviceIO)] = []
    private var previousNetwork: [(labels: SampleLabels, counters: NetDev.Device)] = []

    init(labels: [String], stats: CgroupStats, spec: CgroupSpec) {
        self.labels = labels
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
    /// cycle (they were a thousand of a cycle's four thousand allocations). Call before
    /// `setDevices` and `setNetwork`.
    func adoptLabels(from previous: ContainerRow) {
        guard previous.labels == labels else { return }
        baseLabels = previous.baseLabels
        cpuLabels = previous.cpuLabels
        failureLabels = previous.failureLabels
        previousDevices = previous.devices
        previousNetwork = previous.network ?? []
    }

    /// The cycle's last change to the row, before it is published: makes the label
    /// sets it did not take from the last cycle's row, and drops the device and
    /// interface label sets it took and did not use (a row without network or devices
    /// now), so that the rows kept for the next cycle hold only their own.
    func finish() {
        if baseLabels == nil { baseLabels = SampleLabels(LabelSet(names: CAdvisorLabels.base, values: labels)) }
        if cpuLabels == nil { cpuLabels = SampleLabels(labels(adding: .cpu, "total")) }
        if failureLabels.isEmpty {
            failureLabels = CAdvisorLabels.failures.map { SampleLabels(CAdvisorLabels.failure(self, type: $0.type, scope: $0.scope)) }
        }
        previousDevices = []
        previousNetwork = []
    }

    /// Per device, its label set (the last cycle's when the name is the same).
    func setDevices(_ named: [(name: String, io: CgroupStats.DeviceIO)]) {
        devices = named.enumerated().map { index, device in
            if index < previousDevices.count, previousDevices[index].name == device.name {
                return (device.name, previousDevices[index].labels, device.io)
            }
            return (device.name, SampleLabels(labels(adding: .device, device.name)), device.io)
        }
    }

    /// Per interface, its label set (the last cycle's when the name is the same).
    func setNetwork(_ interfaces: [NetDev.Device]?) {
        network = interfaces?.enumerated().map { index, interface in
            if index < previousNetwork.count, previousNetwork[index].counters.name == interface.name {
                return (previousNetwork[index].labels, interface)
            }
            return (SampleLabels(labels(adding: .interface, interface.name)), interface)
        }
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
