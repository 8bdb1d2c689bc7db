@testable import CgroupReader
import Foundation
import TelemetryModel
import Testing
import TestSupport

/// The container collector on cgroup v1 fixture trees: one hierarchy per controller,
/// the kubelet's cgroupfs driver with Docker, and its systemd driver.
struct CAdvisorV1Tests {
    static let podUID = "9b8c7d6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e"
    static let podPath = "/kubepods/burstable/pod9b8c7d6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e"
    static let container = String(repeating: "f4", count: 32)
    static let sandbox = String(repeating: "5a", count: 32)
    static let containerPath = podPath + "/" + container

    static func cgroupfsNode() throws -> HostFixture {
        let host = try HostFixture()
        try host.v1Cgroup("/", cpuacctNanos: 900_000_000_000, memory: 4_000_000_000)
        try host.v1Cgroup("/kubepods", cpuacctNanos: 50_000_000_000, memory: 900_000_000)
        try host.v1Cgroup("/kubepods/burstable", cpuacctNanos: 40_000_000_000, memory: 800_000_000)
        try host.v1Cgroup(podPath, cpuacctNanos: 3_000_000_000, memory: 80_000_000,
                          cpu: ["cpu.cfs_quota_us": "50000\n", "cpu.shares": "512\n"])
        try host.v1Cgroup(podPath + "/" + sandbox, cpuacctNanos: 30_000_000, memory: 700_000, procs: [410])
        try host.process(410, comm: "pause", interfaces: [("eth0", 700), ("lo", 1)])
        try host.v1Cgroup(containerPath, cpuacctNanos: 2_500_000_000, memory: 73_400_320, procs: [400, 401, 402], cpu: [
            "cpu.cfs_quota_us": "25000\n",
            "cpu.shares": "256\n",
            "cpu.stat": "nr_periods 40\nnr_throttled 4\nthrottled_time 123000000\n",
        ], memoryFiles: [
            "memory.max_usage_in_bytes": "83886080\n",
            "memory.failcnt": "2\n",
            "memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n",
            "memory.memsw.limit_in_bytes": "536870912\n",
            "memory.stat": """
                cache 1000
                rss 2000
                mapped_file 0
                pgfault 900
                pgmajfault 3
                inactive_file 1
                total_cache 16777216
                total_rss 50331648
                total_rss_huge 0
                total_mapped_file 4194304
                total_swap 0
                total_pgfault 5000
                total_pgmajfault 30
                total_inactive_anon 0
                total_inactive_file 8388608

                """,
        ], blkio: [
            "blkio.throttle.io_service_bytes_recursive": "8:0 Read 4096\n8:0 Write 12288\n8:0 Sync 0\n8:0 Async 16384\n8:0 Discard 0\n8:0 Total 16384\nTotal 16384\n",
            "blkio.throttle.io_serviced_recursive": "8:0 Read 1\n8:0 Write 3\n8:0 Sync 0\n8:0 Async 4\n8:0 Discard 0\n8:0 Total 4\nTotal 4\n",
            // The CFQ files of old kernels are present but empty on blk-mq.
            "blkio.io_service_bytes_recursive": "Total 0\n",
        ])
        try host.write("cgroup/pids\(containerPath)/pids.current", "9\n")
        try host.process(400, comm: "postgres", interfaces: [("eth0", 700)])
        try host.setStartTime("/cpu" + containerPath, 1_795_500_000, marker: "cgroup.clone_children")
        return host
    }

    @Test func containerRowHasCAdvisorFamiliesLabelsAndValues() throws {
        let host = try Self.cgroupfsNode()
        let collector = CAdvisorCollector(configuration: host.configuration())
        collector.connect(FixedMetadata(pods: [Self.podUID: PodMetadata(
            name: "db-0", namespace: "prod", containers: [Self.container: ContainerMetadata(name: "db", image: "postgres:16")])]))
        let result = collector.collect()
        #expect(result.failures.isEmpty)
        #expect(result.skipped.isEmpty)

        let id = Self.containerPath
        let rest = "id=\"\(id)\",image=\"postgres:16\",name=\"\(Self.container)\",namespace=\"prod\",pod=\"db-0\""
        let base = "container=\"db\"," + rest
        let sda = "container=\"db\",device=\"/dev/sda\"," + rest
        let failures = { (type: String, scope: String) in
            "container=\"db\",failure_type=\"\(type)\",\(rest),scope=\"\(scope)\""
        }
        let expected: Set<String> = [
            "container_cpu_cfs_periods_total{\(base)} 40",
            "container_cpu_cfs_throttled_periods_total{\(base)} 4",
            "container_cpu_cfs_throttled_seconds_total{\(base)} 0.123",
            // cpuacct.stat counts 100 Hz ticks: 62 and 125.
            "container_cpu_system_seconds_total{\(base)} 0.62",
            "container_cpu_usage_seconds_total{container=\"db\",cpu=\"total\",\(rest)} 2.5",
            "container_cpu_user_seconds_total{\(base)} 1.25",
            "container_fs_reads_bytes_total{\(sda)} 4096",
            "container_fs_reads_total{\(sda)} 1",
            "container_fs_writes_bytes_total{\(sda)} 12288",
            "container_fs_writes_total{\(sda)} 3",
            "container_memory_cache{\(base)} 1.6777216e+07",
            "container_memory_failcnt{\(base)} 2",
            "container_memory_failures_total{\(failures("pgfault", "container"))} 900",
            "container_memory_failures_total{\(failures("pgfault", "hierarchy"))} 900",
            "container_memory_failures_total{\(failures("pgmajfault", "container"))} 3",
            "container_memory_failures_total{\(failures("pgmajfault", "hierarchy"))} 3",
            "container_memory_mapped_file{\(base)} 4.194304e+06",
            "container_memory_max_usage_bytes{\(base)} 8.388608e+07",
            "container_memory_rss{\(base)} 5.0331648e+07",
            "container_memory_swap{\(base)} 0",
            "container_memory_usage_bytes{\(base)} 7.340032e+07",
            // v1: usage − total_inactive_file.
            "container_memory_working_set_bytes{\(base)} 6.5011712e+07",
            "container_oom_events_total{\(base)} 2",
            "container_processes{\(base)} 3",
            "container_spec_cpu_period{\(base)} 100000",
            "container_spec_cpu_quota{\(base)} 25000",
            "container_spec_cpu_shares{\(base)} 256",
            // The kernel's "unlimited" (2^63 rounded down to a page) is 0, as cAdvisor reports it.
            "container_spec_memory_limit_bytes{\(base)} 0",
            "container_spec_memory_reservation_limit_bytes{\(base)} 0",
            "container_spec_memory_swap_limit_bytes{\(base)} 5.36870912e+08",
            "container_start_time_seconds{\(base)} 1.7955e+09",
            "container_threads{\(base)} 9",
        ]
        let actual = Exposition(result).samples(id: id)
        #expect(actual.subtracting(expected).sorted() == [])
        #expect(expected.subtracting(actual).sorted() == [])
    }

    @Test func rowsOfTheCgroupfsTreeAndTheSandboxNetwork() throws {
        let host = try Self.cgroupfsNode()
        let exposition = Exposition(CAdvisorCollector(configuration: host.configuration()).collect())
        let ids = Set(exposition.lines.filter { $0.hasPrefix("container_cpu_user_seconds_total{") }.compactMap { line in
            line.firstRange(of: "id=\"").map { String(line[$0.upperBound...].prefix { $0 != "\"" }) }
        })
        #expect(ids == ["/", "/kubepods", "/kubepods/burstable", Self.podPath, Self.podPath + "/" + Self.sandbox, Self.containerPath])
        #expect(exposition.samples(id: Self.podPath + "/" + Self.sandbox).contains(
            "container_network_receive_bytes_total{container=\"\",id=\"\(Self.podPath)/\(Self.sandbox)\",image=\"\",interface=\"eth0\",name=\"\(Self.sandbox)\",namespace=\"\",pod=\"\"} 700"))
        #expect(!exposition.samples(id: Self.podPath).contains { $0.hasPrefix("container_network_") })
        // The v1 root: cpuacct.usage in nanoseconds, memory.usage_in_bytes.
        #expect(exposition.samples(id: "/").isSuperset(of: [
            "container_cpu_usage_seconds_total{container=\"\",cpu=\"total\",id=\"/\",image=\"\",name=\"\",namespace=\"\",pod=\"\"} 900",
            "container_memory_usage_bytes{container=\"\",id=\"/\",image=\"\",name=\"\",namespace=\"\",pod=\"\"} 4e+09",
            "container_memory_working_set_bytes{container=\"\",id=\"/\",image=\"\",name=\"\",namespace=\"\",pod=\"\"} 3.5e+09",
        ]))
        // The pod's quota makes its CFS families appear.
        #expect(exposition.samples(id: Self.podPath).contains {
            $0.hasPrefix("container_spec_cpu_quota{") && $0.hasSuffix(" 50000")
        })
    }

    @Test func systemdDriverWithDockerScopes() throws {
        let host = try HostFixture()
        let pod = "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod9b8c7d6e_5f4a_4b3c_8d2e_1f0a9b8c7d6e.slice"
        let container = pod + "/docker-\(Self.container).scope"
        try host.v1Cgroup("/", cpuacctNanos: 1, memory: 1)
        try host.v1Cgroup("/kubepods.slice", cpuacctNanos: 1, memory: 1)
        try host.v1Cgroup("/kubepods.slice/kubepods-besteffort.slice", cpuacctNanos: 1, memory: 1)
        try host.v1Cgroup(pod, cpuacctNanos: 1, memory: 1)
        try host.v1Cgroup(container, cpuacctNanos: 3_000_000_000, memory: 1, procs: [1])
        let exposition = Exposition(CAdvisorCollector(configuration: host.configuration()).collect())
        #expect(exposition.samples(id: container).contains(
            "container_cpu_usage_seconds_total{container=\"\",cpu=\"total\",id=\"\(container)\",image=\"\",name=\"\(Self.container)\",namespace=\"\",pod=\"\"} 3"))
    }
}
