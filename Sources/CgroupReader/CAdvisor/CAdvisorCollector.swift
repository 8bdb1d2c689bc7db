#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import TelemetryModel

/// The container families of the kubelet's `/metrics/cadvisor`, read straight from
/// the cgroups of the kubelet's tree and from /proc, without cAdvisor.
///
/// Rows, as the kubelet reports them: the root (`id="/"`), `kubepods`, the QoS
/// classes, every pod, and every container of a pod (its sandbox included). Names
/// and images come from a `ContainerMetadataSource` once one is connected.
public final class CAdvisorCollector: Collector {
    public struct Configuration: Sendable {
        public var cgroupRoot: String
        public var procRoot: String
        public var sysRoot: String
        /// Where the host's root filesystem is visible (for `/etc/machine-id`).
        public var rootfs: String
        public var diskIO = true
        public var network = true
        /// Cycles between re-reads of limits, machine facts and the `memory.stat` of
        /// the root, `kubepods` and QoS cgroups (that file's cost grows with every
        /// cgroup below it).
        public var refreshEvery = 6
        /// Cgroup files kept open between cycles, at most, each re-read with one `pread`
        /// instead of open, read and close. Each pins about 4.4 KB of kernel memory
        /// (docs/benchmarks.md), so none are kept unless asked.
        public var filesKeptOpen = 0

        public init(cgroupRoot: String, procRoot: String, sysRoot: String, rootfs: String) {
            self.cgroupRoot = cgroupRoot
            self.procRoot = procRoot
            self.sysRoot = sysRoot
            self.rootfs = rootfs
        }
    }

    public let name = "cadvisor"
    private let configuration: Configuration
    private let metadata = Mutex<(any ContainerMetadataSource)?>(nil)
    private let state: Mutex<CAdvisorState>

    public init(configuration: Configuration) {
        self.configuration = configuration
        state = Mutex(CAdvisorState(configuration: configuration))
    }

    /// Names containers from now on (the Kubernetes watch of this node's pods).
    public func connect(_ source: any ContainerMetadataSource) {
        metadata.withLock { $0 = source }
    }

    /// Kernel files the last cycle read, for the benchmark's accounting.
    public var fileReadsInLastCycle: Int { state.withLock { $0.fileReadsInLastCycle } }

    /// Cgroup files held open now (`Configuration.filesKeptOpen`).
    public var filesHeldOpen: Int { state.withLock { $0.filesHeldOpen } }

    public func collect() -> CollectionResult {
        let source = metadata.withLock { $0 }
        return state.withLock { $0.collect(metadata: source, now: Double(WallClock.nowUnixNano()) / 1e9) }
    }
}

/// Everything a cycle reuses from the last: readers and their buffers, pod names, and
/// the last cycle's rows, which hold what is known of each cgroup between cycles (its
/// limits, read on refresh cycles only, whether it is a sandbox, its label sets).
struct CAdvisorState {
    let configuration: CAdvisorCollector.Configuration
    private var layout: CgroupLayout?
    private var reader: CgroupStatsReader?
    private var network: PodNetwork
    private var deviceNames: BlockDeviceNames
    private var machine: MachineInfo?
    private var bootTime: Double
    /// Set when Telegen's PID namespace is not the one of `procRoot` (a pod without
    /// hostPID reading the host's /proc): `cgroup.procs` then lists only the processes
    /// of Telegen's own namespace, so other containers seem to have none.
    private let outsideProcPIDNamespace: String?
    private var cycle = 0
    /// Names by pod UID, as the metadata source last gave them. A UID never changes its
    /// pod's name, nor a container ID its container's: the source (a decode from the
    /// watch's store) is asked again only for a pod not seen yet or a new container.
    private var podNames: [String: PodMetadata] = [:]
    /// The last cycle's rows: a cgroup's row is found again by walking them in step
    /// with discovery (`PreviousRows`), not by hashing its path into caches of their own.
    private var lastRows: [ContainerRow] = []
    private(set) var fileReadsInLastCycle = 0
    var filesHeldOpen: Int { reader?.heldFiles ?? 0 }

    init(configuration: CAdvisorCollector.Configuration) {
        self.configuration = configuration
        network = PodNetwork(procRoot: configuration.procRoot)
        deviceNames = BlockDeviceNames(sysRoot: configuration.sysRoot)
        bootTime = Self.bootTime(procRoot: configuration.procRoot)
        outsideProcPIDNamespace = Self.pidNamespaceMismatch(procRoot: configuration.procRoot)
    }

    /// The pod whose cgroups the walk is in (a pod's containers follow it).
    private struct PodInProgress {
        var metadata: PodMetadata?
        var row: Int?
        var hasSandbox = false
        /// A process of one of its containers, for the fallback network read.
        var candidatePID: Int32?
    }

    /// A cgroup removed between listing and reading: its pod or container ended.
    private enum Skip: Error {
        case vanished
    }

    /// What went wrong in one cycle: a failure per part (with the first message and how
    /// many), and the cgroups left out.
    private struct CycleProblems {
        var skipped: [String: Int] = [:]
        private var errors: [(subsystem: String, first: String, count: Int)] = []

        mutating func skip(_ reason: String) { skipped[reason, default: 0] += 1 }

        mutating func fail(_ subsystem: String, _ message: String) {
            if let index = errors.firstIndex(where: { $0.subsystem == subsystem }) {
                errors[index].count += 1
            } else {
                errors.append((subsystem, message, 1))
            }
        }

        var failures: [CollectionFailure] {
            errors.map { error in
                CollectionFailure(subsystem: error.subsystem,
                                  message: error.count == 1 ? error.first : "\(error.first) (and \(error.count - 1) more)")
            }
        }
    }

    mutating func collect(metadata: (any ContainerMetadataSource)?, now: Double) -> CollectionResult {
        cycle += 1
        let refresh = (cycle - 1) % max(configuration.refreshEvery, 1) == 0
        var problems = CycleProblems()
        var machineFamilies: [MetricFamily] = []

        if machine == nil || refresh {
            do {
                machine = try MachineInfo.read(procRoot: configuration.procRoot, sysRoot: configuration.sysRoot,
                                               rootfs: configuration.rootfs)
            } catch {
                problems.fail("machine", "\(error)")
            }
        }
        if let machine {
            machineFamilies = Self.machineFamilies(machine)
            // An identifier file that exists but cannot be read (product_uuid is 0400 root:
            // CAP_DAC_READ_SEARCH) leaves its label empty; that is a failure every cycle.
            for unreadable in machine.unreadable { problems.fail("machine", "\(unreadable) (its machine_* label is empty)") }
        }
        if let outsideProcPIDNamespace { problems.fail("processes", outsideProcPIDNamespace) }
        if refresh { deviceNames.forgetUnnamed() }

        if layout == nil, let detected = CgroupLayout.detect(root: configuration.cgroupRoot) {
            layout = detected
            reader = CgroupStatsReader(layout: detected, procRoot: configuration.procRoot,
                                       maximumHeldFiles: configuration.filesKeptOpen)
        }
        guard let layout, var reader else {
            problems.fail("cgroup", "no cgroup v1 or v2 hierarchy at \(configuration.cgroupRoot)")
            return CollectionResult(families: machineFamilies, failures: problems.failures)
        }
        let readsBefore = reader.filesRead + network.filesRead

        let cgroups = [DiscoveredCgroup(id: "/", kind: .root)] + CgroupDiscovery.discover(in: layout.discoveryRoot)
        var rows: [ContainerRow] = []
        rows.reserveCapacity(cgroups.count)
        var pod: PodInProgress?
        var previousRows = PreviousRows(lastRows)
        // A count, not a set: the names cache is pruned only when it outgrows it.
        var podsSeen = 0

        for cgroup in cgroups {
            if case .pod(let uid) = cgroup.kind {
                attachFallbackNetwork(for: pod, to: &rows, problems: &problems)
                podsSeen += 1
                pod = PodInProgress(metadata: podNames[uid] ?? lookUp(uid, in: metadata))
            }
            let previous = previousRows.row(id: cgroup.id)
            let labels: [String]
            switch cgroup.kind {
            case .root, .kubepods, .qos:
                labels = ["", cgroup.id, "", "", "", ""]
            case .pod:
                labels = Self.labels(id: cgroup.id, pod: pod?.metadata)
            case .container(let id, let podUID):
                // A container the cached names lack (a restart, a new pod's first cycle); sandboxes never have names.
                if let cached = pod?.metadata, cached.containers[id] == nil, previous?.isSandbox != true {
                    pod?.metadata = lookUp(podUID, in: metadata) ?? cached
                }
                labels = Self.labels(id: cgroup.id, containerID: id, pod: pod?.metadata)
            }
            let row: ContainerRow
            do {
                row = try read(cgroup, labels: labels, previous: previous, reader: &reader, layout: layout, refresh: refresh)
            } catch Skip.vanished {
                problems.skip("vanished")
                continue
            } catch {
                problems.skip("unreadable")
                problems.fail("cgroup", "\(error)")
                continue
            }
            row.isSandbox = previous?.isSandbox
            if case .pod = cgroup.kind { pod?.row = rows.count }
            if let previous { row.adoptLabels(from: previous) }
            switch cgroup.kind {
            case .root:
                if configuration.network { row.setNetwork(readNetwork(pid: 1, problems: &problems)) }
            case .container:
                if configuration.network, let pid = row.stats.firstProcess {
                    if isSandbox(row, pid: pid) {
                        row.setNetwork(readNetwork(pid: pid, problems: &problems))
                        pod?.hasSandbox = true
                    } else if pod?.candidatePID == nil {
                        pod?.candidatePID = pid
                    }
                }
            case .kubepods, .qos, .pod:
                break
            }
            if configuration.diskIO {
                row.setDevices(row.stats.io.map { (deviceNames.name(major: $0.major, minor: $0.minor), $0) })
            }
            rows.append(row)
        }
        attachFallbackNetwork(for: pod, to: &rows, problems: &problems)
        for row in rows { row.finish() }
        reader.endCycle()

        // Forget the names of pods that are gone.
        if podNames.count > podsSeen {
            var seen = Set<String>()
            for cgroup in cgroups { if case .pod(let uid) = cgroup.kind { seen.insert(uid) } }
            podNames = podNames.filter { seen.contains($0.key) }
        }

        self.reader = reader
        lastRows = rows
        fileReadsInLastCycle = reader.filesRead + network.filesRead - readsBefore
        let snapshot = ContainerSnapshot(rows: rows, context: ContainerFamilies.Context(nowSeconds: now.rounded(.down)),
                                         machine: machineFamilies)
        return CollectionResult(source: snapshot, failures: problems.failures, skipped: problems.skipped)
    }

    /// Asks the source for a pod's names, remembering what it says.
    private mutating func lookUp(_ uid: String, in source: (any ContainerMetadataSource)?) -> PodMetadata? {
        let found = source?.pod(uid: uid)
        podNames[uid] = found
        return found
    }

    /// Base label values (`CAdvisorLabels.base` order) of a pod's own cgroup: the
    /// kubelet names the pod but no container, image or alias.
    static func labels(id: String, pod: PodMetadata?) -> [String] {
        ["", id, "", "", pod?.namespace ?? "", pod?.name ?? ""]
    }

    /// …and of a container's: containerd's cAdvisor handler aliases it by its ID.
    static func labels(id: String, containerID: String, pod: PodMetadata?) -> [String] {
        let container = pod?.containers[containerID]
        return [container?.name ?? "", id, container?.image ?? "", containerID, pod?.namespace ?? "", pod?.name ?? ""]
    }

    /// A process that exits between `cgroup.procs` and its `net/dev` is normal (the
    /// pod is ending); a file that does not parse is a failure.
    private mutating func readNetwork(pid: Int32, problems: inout CycleProblems) -> [NetDev.Device]? {
        do {
            return try network.devices(pid: pid)
        } catch KernelFileError.missing(let path) {
            if network.isHidden(pid: pid) {
                problems.fail("network", "\(path): process \(pid) is running but hidden by hidepid (reading another user's process needs CAP_SYS_PTRACE)")
            }
            return nil
        } catch {
            problems.fail("network", "\(error)")
            return nil
        }
    }

    /// Reads a cgroup; `previous`, its row of the last cycle, gives the limits (until a
    /// refresh cycle) and a hierarchy level's last `memory.stat`.
    private mutating func read(_ cgroup: DiscoveredCgroup, labels: [String], previous: ContainerRow?, reader: inout CgroupStatsReader,
                               layout: CgroupLayout, refresh: Bool) throws -> ContainerRow {
        let id = cgroup.id
        // The hierarchy levels' memory.stat sums every cgroup below: read it on refresh cycles only.
        let isHierarchyLevel: Bool
        switch cgroup.kind {
        case .root, .kubepods, .qos: isHierarchyLevel = true
        case .pod, .container: isHierarchyLevel = false
        }
        var options = CgroupStatsReader.Options()
        options.memoryStat = !isHierarchyLevel || refresh
        options.io = configuration.diskIO
        options.swap = (machine?.swapBytes ?? 1) > 0
        do {
            let (stats, memoryStat) = try reader.stats(of: id, options: options,
                                                        previousMemoryStat: isHierarchyLevel ? previous?.hierarchyMemoryStat : nil)
            let spec = try previous.flatMap { refresh ? nil : $0.spec } ?? reader.spec(of: id, bootTime: bootTime)
            let row = ContainerRow(labels: labels, stats: stats, spec: spec)
            if isHierarchyLevel { row.hierarchyMemoryStat = memoryStat }
            return row
        } catch KernelFileError.missing(let path) {
            // A file of a live cgroup missing is a failure; of a removed one, normal.
            if access(Self.directory(of: id, layout: layout), F_OK) != 0 {
                reader.release(id)
                throw Skip.vanished
            }
            throw KernelFileError.missing(path: path)
        }
    }

    /// A pod whose sandbox was not recognised (a runtime without a `pause` process, or
    /// CRI-O without an infra container) gets its network on the pod row instead, so
    /// per-pod network dashboards still work.
    private mutating func attachFallbackNetwork(for pod: PodInProgress?, to rows: inout [ContainerRow], problems: inout CycleProblems) {
        guard configuration.network, let pod, !pod.hasSandbox, let index = pod.row, let pid = pod.candidatePID else { return }
        rows[index].setNetwork(readNetwork(pid: pid, problems: &problems))
    }

    /// Whether a container is its pod's sandbox (its first process is `pause`), asked
    /// of /proc once per container: the answer stays on its row from cycle to cycle.
    private mutating func isSandbox(_ row: ContainerRow, pid: Int32) -> Bool {
        if let known = row.isSandbox { return known }
        guard let pause = network.isPause(pid: pid) else { return false }
        row.isSandbox = pause
        return pause
    }

    private static func directory(of id: String, layout: CgroupLayout) -> String {
        layout.discoveryRoot + (id == "/" ? "" : id)
    }

    /// Why `cgroup.procs` cannot be matched with `procRoot`, or nil when it can: the
    /// `NSpid` line of our own status in that /proc names one PID per namespace from the
    /// /proc's down to ours, so more than one means Telegen sits in a nested namespace.
    static func pidNamespaceMismatch(procRoot: String) -> String? {
        let path = procRoot + "/self/status"
        var reader = KernelFileReader(initialCapacity: 2048)
        guard let pids = try? reader.withContents(of: path, { buffer -> Int? in
            for line in LineIterator(buffer) where line.hasPrefix("NSpid:") {
                var fields = FieldIterator(line)
                _ = fields.next()
                var count = 0
                while fields.next() != nil { count += 1 }
                return count
            }
            return nil  // kernels before 4.1 have no NSpid
        }), pids > 1 else { return nil }
        return "Telegen is not in the PID namespace of \(procRoot) (\(path) lists \(pids) PIDs in NSpid; run with hostPID): cgroup.procs shows only its own namespace's processes, so container_processes reads 0 and container_network_* is missing"
    }

    private static func bootTime(procRoot: String) -> Double {
        guard let stat = try? KernelFileSource(path: procRoot + "/stat").read(ProcStat.parse), let boot = stat.bootTime else { return 0 }
        // cAdvisor compares creation times with the boot time truncated to the minute.
        return Double(boot - boot % 60)
    }

    private static func machineFamilies(_ machine: MachineInfo) -> [MetricFamily] {
        let labels = LabelSet(names: ["boot_id", "machine_id", "system_uuid"],
                              values: [machine.bootID, machine.machineID, machine.systemUUID])
        return [
            MetricFamily(name: "machine_cpu_cores", help: "Number of logical CPU cores.", type: .gauge, unit: "{cpu}",
                         series: [Series(labels: labels, value: Double(machine.cpuCores))]),
            MetricFamily(name: "machine_memory_bytes", help: "Amount of memory installed on the machine.", type: .gauge, unit: "By",
                         series: [Series(labels: labels, value: Double(machine.memoryBytes))]),
        ]
    }
}
