import TelemetryModel

/// One cgroup as cAdvisor reports it: its base labels and what was read from it in
/// this cycle. The family table turns rows into series.
///
/// A class, not a struct: every one of the forty-odd families visits every row, and
/// passing a struct of this size to a family's closure copied it each time (a retain
/// and a release of each array in it), a tenth of the cycle's CPU. A row lives within
/// one cycle on one thread.
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

    /// Call once `labels` are final.
    func setDevices(_ named: [(name: String, io: CgroupStats.DeviceIO)]) {
        devices = named.map { (labels(adding: .device, $0.name), $0.io) }
    }

    /// Call once `labels` are final.
    func setNetwork(_ interfaces: [NetDev.Device]?) {
        network = interfaces?.map { (labels(adding: .interface, $0.name), $0) }
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
