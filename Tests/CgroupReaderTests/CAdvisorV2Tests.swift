@testable import CgroupReader
import Foundation
import TelemetryModel
import Synchronization
import Testing
import TestSupport

/// The container collector on cgroup v2 fixture trees: the kubelet's systemd driver
/// with containerd and CRI-O, exact families, labels and values.
struct CAdvisorV2Tests {
    static let podUID = "6f1c2a4e-8d3b-4f5a-9c7e-0b1d2e3f4a5b"
    static let sandbox = String(repeating: "ab", count: 32)
    static let app = String(repeating: "c1", count: 32)
    static let podPath = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod6f1c2a4e_8d3b_4f5a_9c7e_0b1d2e3f4a5b.slice"
    static let appPath = podPath + "/cri-containerd-\(app).scope"
    static let sandboxPath = podPath + "/cri-containerd-\(sandbox).scope"
    static let guaranteedUID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    static let guaranteedPath = "/kubepods.slice/kubepods-pod0a1b2c3d_4e5f_4a6b_8c7d_9e0f1a2b3c4d.slice"
    static let guaranteedContainer = String(repeating: "d2", count: 32)

    static let metadata = FixedMetadata(pods: [
        podUID: PodMetadata(name: "web-0", namespace: "shop",
                            containers: [app: ContainerMetadata(name: "app", image: "registry.example/shop/app:1.2")]),
    ])

    /// A systemd-driver node running containerd: one burstable pod (sandbox + app) and
    /// one guaranteed pod, plus cgroups that are not the kubelet's.
    static func containerdNode() throws -> HostFixture {
        let host = try HostFixture()
        try host.v2Root()
        try host.cgroup("/system.slice/containerd.service", HostFixture.v2Files(usageMicros: 1, memory: 4096))
        try host.cgroup("/kubepods.slice", HostFixture.v2Files(usageMicros: 40_000_000, memory: 800_000_000))
        try host.cgroup("/kubepods.slice/kubepods-burstable.slice", HostFixture.v2Files(usageMicros: 30_000_000, memory: 600_000_000))
        try host.cgroup("/kubepods.slice/kubepods-besteffort.slice", HostFixture.v2Files(usageMicros: 0, memory: 0))
        try host.cgroup("/kubepods.slice/kubepods-burstable.slice/not-a-pod", HostFixture.v2Files(usageMicros: 1, memory: 1))
        try host.cgroup(podPath, HostFixture.v2Files(usageMicros: 2_000_000, memory: 110_000_000,
                                                     extra: ["cpu.max": "60000 100000\n", "cpu.weight": "41\n"]))
        try host.cgroup(podPath + "/something.mount", HostFixture.v2Files(usageMicros: 1, memory: 1))
        try host.cgroup(sandboxPath, HostFixture.v2Files(usageMicros: 40_000, memory: 450_560, procs: [100]))
        try host.process(100, comm: "pause", interfaces: [("lo", 5), ("eth0", 1000), ("veth0a1b", 99)])
        try host.cgroup(appPath, [
            "cgroup.events": "populated 1\nfrozen 0\n",
            "cgroup.procs": "200\n201\n",
            "cpu.stat": "usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\nnr_periods 100\nnr_throttled 10\nthrottled_usec 250000\nnr_bursts 0\nburst_usec 0\n",
            "cpu.max": "50000 100000\n",
            "cpu.weight": "39\n",
            "cpu.pressure": "some avg10=0.00 avg60=0.00 avg300=0.00 total=120000\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=60000\n",
            "memory.pressure": "some avg10=1.50 avg60=0.20 avg300=0.00 total=3000\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=1000\n",
            "memory.current": "104857600\n",
            "memory.peak": "209715200\n",
            "memory.stat": "anon 52428800\nfile 41943040\nkernel 1000\nfile_mapped 1048576\nactive_file 10000\ninactive_file 20971520\npgfault 1234\npgmajfault 5\n",
            "memory.swap.current": "4096\n",
            "memory.events": "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n",
            "memory.max": "268435456\n",
            "memory.min": "67108864\n",
            "memory.swap.max": "max\n",
            "io.stat": "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n253:7 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0\n",
            "pids.current": "7\n",
        ])
        try host.process(200, comm: "app", interfaces: [("eth0", 1000)])
        try host.cgroup(guaranteedPath, HostFixture.v2Files(usageMicros: 5_000_000, memory: 50_000_000))
        try host.cgroup(guaranteedPath + "/cri-containerd-\(guaranteedContainer).scope",
                        HostFixture.v2Files(usageMicros: 4_000_000, memory: 40_000_000, procs: [300]))
        // A container whose process is not `pause`, in a pod with no sandbox found: the
        // pod row gets the pod's network instead.
        try host.process(300, comm: "nginx", interfaces: [("eth0", 3000)])
        try host.setStartTime(appPath, 1_795_400_000.5, marker: "cgroup.events")
        return host
    }

    @Test func containerRowHasCAdvisorFamiliesLabelsAndValues() throws {
        let host = try Self.containerdNode()
        let collector = CAdvisorCollector(configuration: host.configuration())
        collector.connect(Self.metadata)
        let result = collector.collect()
        #expect(result.failures.isEmpty)
        #expect(result.skipped.isEmpty)

        let base = "container=\"app\",id=\"\(Self.appPath)\",image=\"registry.example/shop/app:1.2\",name=\"\(Self.app)\",namespace=\"shop\",pod=\"web-0\""
        func with(_ label: String) -> String {
            base.replacingOccurrences(of: "id=", with: "\(label),id=")
        }
        let rest = "image=\"registry.example/shop/app:1.2\",name=\"\(Self.app)\",namespace=\"shop\",pod=\"web-0\""
        let expected: Set<String> = [
            "container_cpu_cfs_periods_total{\(base)} 100",
            "container_cpu_cfs_throttled_periods_total{\(base)} 10",
            "container_cpu_cfs_throttled_seconds_total{\(base)} 0.25",
            "container_cpu_system_seconds_total{\(base)} 0.5",
            "container_cpu_usage_seconds_total{\(with("cpu=\"total\""))} 1.5",
            "container_cpu_user_seconds_total{\(base)} 1",
            "container_fs_reads_bytes_total{\(with("device=\"/dev/sda\""))} 4096",
            "container_fs_reads_bytes_total{\(with("device=\"\""))} 1",
            "container_fs_reads_total{\(with("device=\"/dev/sda\""))} 1",
            "container_fs_reads_total{\(with("device=\"\""))} 3",
            "container_fs_writes_bytes_total{\(with("device=\"/dev/sda\""))} 8192",
            "container_fs_writes_bytes_total{\(with("device=\"\""))} 2",
            "container_fs_writes_total{\(with("device=\"/dev/sda\""))} 2",
            "container_fs_writes_total{\(with("device=\"\""))} 4",
            "container_memory_cache{\(base)} 4.194304e+07",
            "container_memory_failcnt{\(base)} 0",
            "container_memory_failures_total{container=\"app\",failure_type=\"pgfault\",id=\"\(Self.appPath)\",\(rest),scope=\"container\"} 1234",
            "container_memory_failures_total{container=\"app\",failure_type=\"pgfault\",id=\"\(Self.appPath)\",\(rest),scope=\"hierarchy\"} 1234",
            "container_memory_failures_total{container=\"app\",failure_type=\"pgmajfault\",id=\"\(Self.appPath)\",\(rest),scope=\"container\"} 5",
            "container_memory_failures_total{container=\"app\",failure_type=\"pgmajfault\",id=\"\(Self.appPath)\",\(rest),scope=\"hierarchy\"} 5",
            "container_memory_mapped_file{\(base)} 1.048576e+06",
            "container_memory_max_usage_bytes{\(base)} 2.097152e+08",
            "container_memory_rss{\(base)} 5.24288e+07",
            "container_memory_swap{\(base)} 4096",
            "container_memory_usage_bytes{\(base)} 1.048576e+08",
            "container_memory_working_set_bytes{\(base)} 8.388608e+07",
            "container_oom_events_total{\(base)} 1",
            "container_pressure_cpu_stalled_seconds_total{\(base)} 0.06",
            "container_pressure_cpu_waiting_seconds_total{\(base)} 0.12",
            "container_pressure_io_stalled_seconds_total{\(base)} 0",
            "container_pressure_io_waiting_seconds_total{\(base)} 0",
            "container_pressure_memory_stalled_seconds_total{\(base)} 0.001",
            "container_pressure_memory_waiting_seconds_total{\(base)} 0.003",
            "container_processes{\(base)} 2",
            "container_spec_cpu_period{\(base)} 100000",
            "container_spec_cpu_quota{\(base)} 50000",
            "container_spec_cpu_shares{\(base)} 998",
            "container_spec_memory_limit_bytes{\(base)} 2.68435456e+08",
            "container_spec_memory_reservation_limit_bytes{\(base)} 6.7108864e+07",
            "container_spec_memory_swap_limit_bytes{\(base)} 0",
            "container_start_time_seconds{\(base)} 1.7954e+09",
            "container_threads{\(base)} 7",
        ]
        let actual = Exposition(result).samples(id: Self.appPath)
        #expect(actual.subtracting(expected).sorted() == [])
        #expect(expected.subtracting(actual).sorted() == [])
    }

    /// A row takes the label sets of the last cycle's row of its cgroup while its labels
    /// are the same; once they change (the pod's names arrive) every family follows,
    /// the ones that add a label (cpu, device, interface, failure type) included.
    @Test func labelSetsCarriedBetweenCyclesFollowAChangeOfNames() throws {
        let host = try Self.containerdNode()
        let collector = CAdvisorCollector(configuration: host.configuration())
        _ = collector.collect()
        collector.connect(Self.metadata)
        let named = Exposition(collector.collect())
        let steady = Exposition(collector.collect())
        let fresh = CAdvisorCollector(configuration: host.configuration())
        fresh.connect(Self.metadata)
        let expected = Exposition(fresh.collect())
        for id in ["/", Self.podPath, Self.sandboxPath, Self.appPath] {
            let want = expected.samples(id: id).filter { !$0.hasPrefix("container_last_seen") }
            #expect(want.contains { $0.contains("namespace=\"shop\"") } == (id != "/"))
            #expect(named.samples(id: id).filter { !$0.hasPrefix("container_last_seen") } == want, "\(id)")
            #expect(steady.samples(id: id).filter { !$0.hasPrefix("container_last_seen") } == want, "\(id)")
        }
    }

    /// A cycle's result is rendered by scrapes and pushes after the collector has moved
    /// on (it holds the cycle's rows, not series): it keeps its own cycle's names and
    /// values whatever later cycles read, and its stream, its typed form and its count
    /// agree.
    @Test func aPublishedCycleRendersItsOwnValuesAfterLaterCycles() throws {
        let host = try Self.containerdNode()
        let collector = CAdvisorCollector(configuration: host.configuration())
        func streamed(_ result: CollectionResult) -> String {
            var writer = ExpositionWriter(format: .prometheusText)
            var stream = result.source.makeStream()
            var bytes: [UInt8] = []
            while stream.next(into: &writer) { writer.drainBytes { bytes += $0 } }
            return String(decoding: bytes, as: UTF8.self)
        }
        let first = collector.collect()
        let firstText = streamed(first)
        collector.connect(Self.metadata)
        try host.write("cgroup\(Self.appPath)/memory.current", "123456789\n")
        let second = collector.collect()
        let secondText = streamed(second)
        #expect(secondText.contains("namespace=\"shop\""))
        #expect(secondText.contains("""
            container_memory_usage_bytes{container="app",id="\(Self.appPath)",image="registry.example/shop/app:1.2",\
            name="\(Self.app)",namespace="shop",pod="web-0"} 1.23456789e+08\n
            """))
        #expect(streamed(first) == firstText)
        #expect(!firstText.contains("namespace=\"shop\""))

        for result in [first, second] {
            let families = result.families
            #expect(result.seriesCount == families.reduce(0) { $0 + $1.series.count })
            #expect(families.map(\.name) == families.map(\.name).sorted())
            #expect(!families.contains { $0.series.isEmpty })
        }
    }

    /// The stream writes families in the table's order, so the table must be sorted by
    /// name as the kubelet's registry writes them, every name before `machine_*`'s.
    @Test func theFamilyTableIsSortedAndPrecedesTheMachineFamilies() {
        let names = ContainerFamilies.table.map(\.name)
        #expect(names == names.sorted())
        #expect(Set(names).count == names.count)
        #expect(names.allSatisfy { $0 < "machine_cpu_cores" })
    }

    @Test func sandboxCarriesThePodNetworkAndRootTheHosts() throws {
        let host = try Self.containerdNode()
        let collector = CAdvisorCollector(configuration: host.configuration())
        collector.connect(Self.metadata)
        let exposition = Exposition(collector.collect())

        // The sandbox is named by its ID only: the pod's status does not list it.
        let sandbox = exposition.samples(id: Self.sandboxPath)
        let sandboxLabels = "container=\"\",id=\"\(Self.sandboxPath)\",image=\"\",interface=\"eth0\",name=\"\(Self.sandbox)\",namespace=\"shop\",pod=\"web-0\""
        #expect(sandbox.filter { $0.hasPrefix("container_network_") }.sorted() == [
            "container_network_receive_bytes_total{\(sandboxLabels)} 1000",
            "container_network_receive_errors_total{\(sandboxLabels)} 1",
            "container_network_receive_packets_dropped_total{\(sandboxLabels)} 2",
            "container_network_receive_packets_total{\(sandboxLabels)} 100",
            "container_network_transmit_bytes_total{\(sandboxLabels)} 2000",
            "container_network_transmit_errors_total{\(sandboxLabels)} 3",
            "container_network_transmit_packets_dropped_total{\(sandboxLabels)} 4",
            "container_network_transmit_packets_total{\(sandboxLabels)} 200",
        ])
        // No quota on the sandbox: no CFS families, the period and shares still reported.
        #expect(!sandbox.contains { $0.hasPrefix("container_cpu_cfs_") || $0.hasPrefix("container_spec_cpu_quota") })
        #expect(sandbox.contains("container_spec_cpu_period{container=\"\",id=\"\(Self.sandboxPath)\",image=\"\",name=\"\(Self.sandbox)\",namespace=\"shop\",pod=\"web-0\"} 100000"))
        // Only the sandbox and the root own a network namespace here.
        #expect(!exposition.samples(id: Self.appPath).contains { $0.hasPrefix("container_network_") })
        #expect(!exposition.samples(id: Self.podPath).contains { $0.hasPrefix("container_network_") })

        let root = exposition.samples(id: "/")
        let rootLabels = "container=\"\",id=\"/\",image=\"\",name=\"\",namespace=\"\",pod=\"\""
        #expect(root.isSuperset(of: [
            "container_cpu_usage_seconds_total{container=\"\",cpu=\"total\",id=\"/\",image=\"\",name=\"\",namespace=\"\",pod=\"\"} 90",
            "container_cpu_user_seconds_total{\(rootLabels)} 60",
            // The v2 root has no memory.current: anon + file, and swap from /proc/meminfo.
            "container_memory_usage_bytes{\(rootLabels)} 4e+06",
            "container_memory_working_set_bytes{\(rootLabels)} 3.5e+06",
            "container_memory_swap{\(rootLabels)} 524288",
            "container_fs_reads_bytes_total{container=\"\",device=\"/dev/sda\",id=\"/\",image=\"\",name=\"\",namespace=\"\",pod=\"\"} 1000",
            "container_network_receive_bytes_total{container=\"\",id=\"/\",image=\"\",interface=\"eth0\",name=\"\",namespace=\"\",pod=\"\"} 1000",
        ]))
        #expect(!root.contains { $0.contains("interface=\"lo\"") || $0.contains("interface=\"docker0\"") })
        #expect(!root.contains { $0.hasPrefix("container_spec_memory_") })
    }

    /// Whether a container is its pod's sandbox is asked of /proc once: the answer stays
    /// with the cgroup's row from cycle to cycle (`comm` is not read again).
    @Test func aSandboxIsRecognisedOnceAndRemembered() throws {
        let host = try Self.containerdNode()
        let collector = CAdvisorCollector(configuration: host.configuration())
        collector.connect(Self.metadata)
        let hasNetwork = { (exposition: Exposition, id: String) in
            exposition.samples(id: id).contains { $0.hasPrefix("container_network_receive_bytes_total") }
        }
        let first = Exposition(collector.collect())
        #expect(hasNetwork(first, Self.sandboxPath) && !hasNetwork(first, Self.podPath))
        try host.write("proc/100/comm", "renamed\n")
        let second = Exposition(collector.collect())
        #expect(hasNetwork(second, Self.sandboxPath) && !hasNetwork(second, Self.podPath))
        // A collector that has not seen it yet asks, and takes it for an ordinary container.
        let fresh = Exposition(CAdvisorCollector(configuration: host.configuration()).collect())
        #expect(!hasNetwork(fresh, Self.sandboxPath) && hasNetwork(fresh, Self.podPath))
    }

    @Test func discoversTheKubeletTreeAndNothingElse() throws {
        let host = try Self.containerdNode()
        let exposition = Exposition(CAdvisorCollector(configuration: host.configuration()).collect())
        let ids = Set(exposition.lines.filter { $0.hasPrefix("container_memory_usage_bytes{") }.compactMap { line in
            line.firstRange(of: "id=\"").map { String(line[$0.upperBound...].prefix { $0 != "\"" }) }
        })
        #expect(ids == [
            "/", "/kubepods.slice", "/kubepods.slice/kubepods-burstable.slice", "/kubepods.slice/kubepods-besteffort.slice",
            Self.podPath, Self.sandboxPath, Self.appPath,
            Self.guaranteedPath, Self.guaranteedPath + "/cri-containerd-\(Self.guaranteedContainer).scope",
        ])
        // Without a metadata source, series carry the ID and empty names.
        #expect(exposition.samples(id: Self.appPath).contains(
            "container_threads{container=\"\",id=\"\(Self.appPath)\",image=\"\",name=\"\(Self.app)\",namespace=\"\",pod=\"\"} 7"))
        #expect(exposition.samples(id: Self.podPath).contains(
            "container_spec_cpu_shares{container=\"\",id=\"\(Self.podPath)\",image=\"\",name=\"\",namespace=\"\",pod=\"\"} 1050"))
    }

    @Test func podWithoutRecognisedSandboxGetsTheNetworkOnItsRow() throws {
        let host = try Self.containerdNode()
        let exposition = Exposition(CAdvisorCollector(configuration: host.configuration()).collect())
        let pod = exposition.samples(id: Self.guaranteedPath)
        #expect(pod.contains(
            "container_network_receive_bytes_total{container=\"\",id=\"\(Self.guaranteedPath)\",image=\"\",interface=\"eth0\",name=\"\",namespace=\"\",pod=\"\"} 3000"))
        #expect(!exposition.samples(id: Self.guaranteedPath + "/cri-containerd-\(Self.guaranteedContainer).scope")
            .contains { $0.hasPrefix("container_network_") })
    }

    @Test func machineFamiliesCarryTheHostIdentifiers() throws {
        let host = try Self.containerdNode()
        let lines = Exposition(CAdvisorCollector(configuration: host.configuration()).collect()).lines
        let labels = "boot_id=\"\(HostFixture.bootID)\",machine_id=\"\(HostFixture.machineID)\",system_uuid=\"\(HostFixture.systemUUID)\""
        #expect(lines.contains("machine_cpu_cores{\(labels)} 5"))
        #expect(lines.contains("machine_memory_bytes{\(labels)} 2.097152e+09"))
    }

    @Test func everyFamilyOfTheTableIsPresentAndLastSeenIsNow() throws {
        let host = try Self.containerdNode()
        let before = Date().timeIntervalSince1970.rounded(.down)
        let exposition = Exposition(CAdvisorCollector(configuration: host.configuration()).collect())
        let after = Date().timeIntervalSince1970.rounded(.down)
        #expect(exposition.familyNames == Set(ContainerFamilies.table.map(\.name) + ["machine_cpu_cores", "machine_memory_bytes"]))
        let seen = exposition.lines.filter { $0.hasPrefix("container_last_seen{") }
        #expect(seen.count == 9)
        for line in seen {
            let value = try #require(Double(line.split(separator: " ").last.map(String.init) ?? ""))
            #expect(value >= before && value <= after)
        }
    }

    @Test func hierarchyMemoryStatIsReadOnRefreshCyclesOnly() throws {
        let host = try Self.containerdNode()
        var configuration = host.configuration()
        configuration.refreshEvery = 3
        let collector = CAdvisorCollector(configuration: configuration)
        func rss(_ id: String) -> String? {
            Exposition(collector.collect()).samples(id: id).first { $0.hasPrefix("container_memory_rss{") }?
                .split(separator: " ").last.map(String.init)
        }
        let kubepods = "/kubepods.slice"
        #expect(rss(kubepods) == "4e+08")
        let firstCycleReads = collector.fileReadsInLastCycle
        for id in [kubepods, Self.appPath] {
            try host.write("cgroup\(id)/memory.stat", "anon 7\nfile 0\ninactive_file 0\n")
        }
        #expect(rss(kubepods) == "4e+08")  // cycle 2: the QoS and kubepods levels keep the last values
        #expect(Exposition(collector.collect()).samples(id: Self.appPath).contains { $0.hasPrefix("container_memory_rss{") && $0.hasSuffix(" 7") })
        #expect(collector.fileReadsInLastCycle < firstCycleReads)
        #expect(rss(kubepods) == "7")  // cycle 4 refreshes
    }

    @Test func limitsAreReReadOnRefreshCyclesOnly() throws {
        let host = try Self.containerdNode()
        var configuration = host.configuration()
        configuration.refreshEvery = 2
        let collector = CAdvisorCollector(configuration: configuration)
        func limit() -> String? {
            Exposition(collector.collect()).samples(id: Self.appPath).first { $0.hasPrefix("container_spec_memory_limit_bytes{") }?
                .split(separator: " ").last.map(String.init)
        }
        #expect(limit() == "2.68435456e+08")
        try host.write("cgroup\(Self.appPath)/memory.max", "max\n")
        #expect(limit() == "2.68435456e+08")
        #expect(limit() == "0")
    }

    @Test func withoutHostSwapTheSwapFilesAreNotRead() throws {
        let host = try Self.containerdNode()
        try host.write("proc/meminfo", "MemTotal:        2048000 kB\nMemFree:          100000 kB\nSwapTotal:             0 kB\nSwapFree:              0 kB\n")
        let collector = CAdvisorCollector(configuration: host.configuration())
        let withoutSwap = Exposition(collector.collect()).samples(id: Self.appPath)
        #expect(withoutSwap.contains { $0.hasPrefix("container_memory_swap{") && $0.hasSuffix(" 0") })
        let reads = collector.fileReadsInLastCycle
        let swapHost = try Self.containerdNode()
        let withSwap = CAdvisorCollector(configuration: swapHost.configuration())
        _ = withSwap.collect()
        // One memory.swap.current per non-root row (8), and the root's meminfo read.
        #expect(withSwap.fileReadsInLastCycle - reads == 9)
    }

    @Test func podNamesAreAskedForOnceAndAgainOnlyForANewContainer() throws {
        let host = try Self.containerdNode()
        var known = Self.metadata.pods
        known[Self.guaranteedUID] = PodMetadata(name: "db-0", namespace: "shop",
                                                containers: [Self.guaranteedContainer: ContainerMetadata(name: "db", image: "db:1")])
        let source = CountingMetadata(FixedMetadata(pods: known))
        let collector = CAdvisorCollector(configuration: host.configuration())
        collector.connect(source)
        _ = collector.collect()
        let first = source.calls
        // Both pods, and the burstable pod once more for its sandbox, not yet known to be one.
        #expect(first == 3)
        _ = collector.collect()
        #expect(source.calls == first)
        // The app container restarts under a new ID: its pod is asked again, once.
        let restarted = String(repeating: "e7", count: 32)
        try FileManager.default.moveItem(atPath: host.cgroupRoot + Self.appPath,
                                         toPath: host.cgroupRoot + Self.podPath + "/cri-containerd-\(restarted).scope")
        var pods = known
        pods[Self.podUID]?.containers[restarted] = ContainerMetadata(name: "app", image: "registry.example/shop/app:1.3")
        source.replace(FixedMetadata(pods: pods))
        let exposition = Exposition(collector.collect())
        #expect(source.calls == first + 1)
        #expect(exposition.samples(id: Self.podPath + "/cri-containerd-\(restarted).scope").contains { $0.contains(#"image="registry.example/shop/app:1.3""#) })
        _ = collector.collect()
        #expect(source.calls == first + 1)
    }

    // MARK: CRI-O

    @Test func crioScopesAreContainersAndConmonIsIgnored() throws {
        let host = try HostFixture()
        try host.v2Root()
        let uid = "11111111-2222-4333-8444-555555555555"
        let pod = "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod11111111_2222_4333_8444_555555555555.slice"
        let container = String(repeating: "e3", count: 32)
        try host.cgroup("/kubepods.slice", HostFixture.v2Files(usageMicros: 3, memory: 3))
        try host.cgroup("/kubepods.slice/kubepods-besteffort.slice", HostFixture.v2Files(usageMicros: 2, memory: 2))
        try host.cgroup(pod, HostFixture.v2Files(usageMicros: 1, memory: 1))
        try host.cgroup(pod + "/crio-conmon-\(container).scope", HostFixture.v2Files(usageMicros: 1, memory: 1, procs: [500]))
        try host.cgroup(pod + "/crio-\(container).scope", HostFixture.v2Files(usageMicros: 2_000_000, memory: 8192, procs: [501]))
        try host.process(501, comm: "redis-server", interfaces: [("eth0", 5000), ("lo", 1)])
        let collector = CAdvisorCollector(configuration: host.configuration())
        collector.connect(FixedMetadata(pods: [uid: PodMetadata(name: "cache-7d9f", namespace: "data",
                                                                containers: [container: ContainerMetadata(name: "redis", image: "redis:7")])]))
        let exposition = Exposition(collector.collect())
        let containerID = pod + "/crio-\(container).scope"
        #expect(exposition.samples(id: containerID).contains(
            "container_cpu_usage_seconds_total{container=\"redis\",cpu=\"total\",id=\"\(containerID)\",image=\"redis:7\",name=\"\(container)\",namespace=\"data\",pod=\"cache-7d9f\"} 2"))
        #expect(exposition.samples(id: pod + "/crio-conmon-\(container).scope").isEmpty)
        // CRI-O without an infra container: the pod row carries the pod's network.
        #expect(exposition.samples(id: pod).contains(
            "container_network_transmit_bytes_total{container=\"\",id=\"\(pod)\",image=\"\",interface=\"eth0\",name=\"\",namespace=\"data\",pod=\"cache-7d9f\"} 10000"))
    }
}

/// A metadata source that counts how often it is asked.
final class CountingMetadata: ContainerMetadataSource {
    private let state: Mutex<(source: FixedMetadata, calls: Int)>

    init(_ source: FixedMetadata) {
        state = Mutex((source, 0))
    }

    var calls: Int { state.withLock { $0.calls } }

    func replace(_ source: FixedMetadata) {
        state.withLock { $0.source = source }
    }

    func pod(uid: String) -> PodMetadata? {
        state.withLock { state in
            state.calls += 1
            return state.source.pod(uid: uid)
        }
    }
}
