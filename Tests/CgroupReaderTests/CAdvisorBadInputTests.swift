@testable import CgroupReader
import Foundation
import TelemetryModel
import Testing
import TestSupport

/// Corrupt, missing and vanishing cgroup files: never a crash; the cgroup's series
/// are left out and counted, and the rest of the node is still reported.
struct CAdvisorBadInputTests {
    static let podPath = "/kubepods/pod0a0a0a0a-1b1b-4c2c-8d3d-4e4e4e4e4e4e"
    static let healthy = podPath + "/" + String(repeating: "1a", count: 32)
    static let damaged = podPath + "/" + String(repeating: "2b", count: 32)

    /// A v2 cgroupfs-driver node with a guaranteed pod of two containers.
    static func node() throws -> HostFixture {
        let host = try HostFixture()
        try host.v2Root()
        try host.cgroup("/kubepods", HostFixture.v2Files(usageMicros: 9, memory: 9))
        try host.cgroup(podPath, HostFixture.v2Files(usageMicros: 8, memory: 8))
        try host.cgroup(healthy, HostFixture.v2Files(usageMicros: 3_000_000, memory: 4096, procs: [600]))
        try host.cgroup(damaged, HostFixture.v2Files(usageMicros: 2_000_000, memory: 4096, procs: [601]))
        try host.process(600, comm: "pause", interfaces: [("eth0", 10)])
        return host
    }

    static func ids(_ exposition: Exposition) -> Set<String> {
        Set(exposition.lines.filter { $0.hasPrefix("container_memory_usage_bytes{") }.compactMap { line in
            line.firstRange(of: "id=\"").map { String(line[$0.upperBound...].prefix { $0 != "\"" }) }
        })
    }

    /// Files whose content makes the cgroup unreadable: it is skipped, counted and reported.
    @Test(arguments: [
        ("memory.current", ""),
        ("memory.current", "12abc\n"),
        ("memory.current", "99999999999999999999999\n"),
        ("memory.current", "-5\n"),
        ("pids.current", "many\n"),
        ("cpu.pressure", "some avg10=x\n"),
        ("memory.events", nil),  // a live cgroup without it is odd, but optional: not a failure
        ("memory.current", nil),
        ("cpu.stat", nil),
    ] as [(String, String?)])
    func corruptFileSkipsOnlyItsCgroup(file: String, content: String?) throws {
        let host = try Self.node()
        let path = host.cgroupRoot + Self.damaged + "/" + file
        if let content {
            try content.write(toFile: path, atomically: false, encoding: .utf8)
        } else {
            try FileManager.default.removeItem(atPath: path)
        }
        let result = CAdvisorCollector(configuration: host.configuration()).collect()
        let ids = Self.ids(Exposition(result))
        #expect(ids.contains(Self.healthy))
        #expect(ids.contains(Self.podPath))
        if file == "memory.events" {
            #expect(ids.contains(Self.damaged))
            #expect(result.skipped.isEmpty && result.failures.isEmpty)
        } else {
            #expect(!ids.contains(Self.damaged))
            #expect(result.skipped == ["unreadable": 1])
            #expect(result.failures.count == 1)
            #expect(result.failures.first?.subsystem == "cgroup")
            #expect(result.failures.first?.message.contains(path) == true)
        }
    }

    /// Contents that are odd but valid: reported with cAdvisor's readings of them.
    @Test func oddButValidValues() throws {
        let host = try Self.node()
        let dir = "cgroup" + Self.damaged
        try host.write(dir + "/cpu.stat", "usage_usec notanumber\nuser_usec 5\n\nsystem_usec\n")
        try host.write(dir + "/memory.max", "18446744073709551615\n")
        try host.write(dir + "/memory.swap.max", "max\n")
        try host.write(dir + "/memory.stat", "anon 10\nfile 20\ninactive_file 99999\nnew_kernel_key 1\n")
        try host.write(dir + "/cpu.max", "max\n")
        try host.write(dir + "/cpu.weight", "0\n")
        try host.write(dir + "/io.stat", "garbage line\n8:0 rbytes=x wbytes=7\n")
        let result = CAdvisorCollector(configuration: host.configuration()).collect()
        #expect(result.failures.isEmpty && result.skipped.isEmpty)
        let samples = Exposition(result).samples(id: Self.damaged)
        let labels = "container=\"\",id=\"\(Self.damaged)\",image=\"\",name=\"\(String(repeating: "2b", count: 32))\",namespace=\"\",pod=\"\""
        #expect(samples.isSuperset(of: [
            "container_cpu_user_seconds_total{\(labels)} 5e-06",
            "container_spec_memory_limit_bytes{\(labels)} 0",
            "container_spec_memory_swap_limit_bytes{\(labels)} 0",
            "container_spec_cpu_period{\(labels)} 0",
            "container_spec_cpu_shares{\(labels)} 0",
            // inactive_file above usage: the working set floors at 0.
            "container_memory_working_set_bytes{\(labels)} 0",
            "container_fs_writes_bytes_total{container=\"\",device=\"/dev/sda\",id=\"\(Self.damaged)\",image=\"\",name=\"\(String(repeating: "2b", count: 32))\",namespace=\"\",pod=\"\"} 7",
        ]))
        // Usage read as 0 is not reported, as cAdvisor leaves it out.
        #expect(!samples.contains { $0.hasPrefix("container_cpu_usage_seconds_total{") })
    }

    /// A container that ends between listing and reading: skipped as "vanished", no failure.
    @Test func cgroupRemovedMidWalkIsNotAFailure() throws {
        let host = try Self.node()
        let collector = CAdvisorCollector(configuration: host.configuration())
        // The metadata lookup happens after discovery listed the pod's containers.
        collector.connect(RemovingSource(path: host.cgroupRoot + Self.damaged))
        let result = collector.collect()
        let ids = Self.ids(Exposition(result))
        #expect(!ids.contains(Self.damaged))
        #expect(ids.contains(Self.healthy))
        #expect(result.skipped == ["vanished": 1])
        #expect(result.failures.isEmpty)
        // And the next cycle simply no longer sees it.
        let next = collector.collect()
        #expect(next.skipped.isEmpty && next.failures.isEmpty)
    }

    @Test func unparsableNetworkIsAFailureButKeepsTheRow() throws {
        let host = try Self.node()
        try host.write("proc/600/net/dev", "Inter-|\n face |\neth0: 1 2 3\n")
        let result = CAdvisorCollector(configuration: host.configuration()).collect()
        let exposition = Exposition(result)
        #expect(Self.ids(exposition).contains(Self.healthy))
        #expect(!exposition.samples(id: Self.healthy).contains { $0.hasPrefix("container_network_") })
        #expect(result.failures.map(\.subsystem) == ["network"])
    }

    @Test func processGoneBeforeItsNetworkIsReadIsNormal() throws {
        let host = try Self.node()
        try FileManager.default.removeItem(atPath: host.directory.path + "/proc/600/net")
        let result = CAdvisorCollector(configuration: host.configuration()).collect()
        #expect(result.failures.isEmpty)
        #expect(Self.ids(Exposition(result)).contains(Self.healthy))
    }

    @Test func noHierarchyIsAFailureWithMachineFamiliesStillReported() throws {
        let host = try HostFixture()
        let empty = try TemporaryDirectory("telegen-no-cgroup")
        let result = CAdvisorCollector(configuration: host.configuration(cgroupRoot: empty.path)).collect()
        #expect(result.failures.map(\.subsystem) == ["cgroup"])
        #expect(result.families.map(\.name) == ["machine_cpu_cores", "machine_memory_bytes"])
    }

    @Test func brokenMachineFilesAreAFailure() throws {
        let host = try Self.node()
        try host.write("sys/devices/system/cpu/online", "zero\n")
        let result = CAdvisorCollector(configuration: host.configuration()).collect()
        #expect(result.failures.map(\.subsystem) == ["machine"])
        #expect(!result.families.contains { $0.name.hasPrefix("machine_") })
        #expect(Self.ids(Exposition(result)).contains(Self.healthy))
    }

    @Test func manyBrokenCgroupsMakeOneFailureMessage() throws {
        let host = try Self.node()
        for id in [Self.healthy, Self.damaged] {
            try host.write("cgroup" + id + "/memory.current", "x\n")
        }
        let result = CAdvisorCollector(configuration: host.configuration()).collect()
        #expect(result.skipped == ["unreadable": 2])
        #expect(result.failures.count == 1)
        #expect(result.failures.first?.message.hasSuffix("(and 1 more)") == true)
    }
}

/// Removes a cgroup directory when the collector asks for its pod's names: a
/// container that ends between the listing and the reading.
struct RemovingSource: ContainerMetadataSource {
    let path: String

    func pod(uid: String) -> PodMetadata? {
        try? FileManager.default.removeItem(atPath: path)
        return nil
    }
}

/// Path parsing of the kubelet's cgroup names, both drivers and every runtime.
struct KubeletCgroupTests {
    static let id = String(repeating: "0f", count: 32)

    @Test(arguments: [
        ("pod6f1c2a4e-8d3b-4f5a-9c7e-0b1d2e3f4a5b", "6f1c2a4e-8d3b-4f5a-9c7e-0b1d2e3f4a5b"),
        ("kubepods-burstable-pod6f1c2a4e_8d3b_4f5a_9c7e_0b1d2e3f4a5b.slice", "6f1c2a4e-8d3b-4f5a-9c7e-0b1d2e3f4a5b"),
        ("kubepods-pod6f1c2a4e_8d3b_4f5a_9c7e_0b1d2e3f4a5b.slice", "6f1c2a4e-8d3b-4f5a-9c7e-0b1d2e3f4a5b"),
        ("pod0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef"),  // static pod: a 32-hex hash
    ])
    func podUIDs(name: String, uid: String) {
        #expect(KubeletCgroup.podUID(in: name) == uid)
    }

    @Test(arguments: ["pod", "podXYZ", "pod6f1c2a4e-8d3b-4f5a-9c7e-0b1d2e3f4a5", "kubepods-burstable.slice",
                      "pod6F1C2A4E-8D3B-4F5A-9C7E-0B1D2E3F4A5B", "kubepods-burstable-pod6f1c2a4e_8d3b_4f5a_9c7e_0b1d2e3f4a5b.scope"])
    func notPods(name: String) {
        #expect(KubeletCgroup.podUID(in: name) == nil)
    }

    @Test func containerIDs() {
        let id = Self.id
        for name in [id, "cri-containerd-\(id).scope", "crio-\(id).scope", "docker-\(id).scope"] {
            #expect(KubeletCgroup.containerID(in: name) == Self.id, "\(name)")
        }
        for name in ["crio-conmon-\(id).scope", "\(id).mount", "cri-containerd-\(id.dropLast()).scope", "docker-\(id.uppercased()).scope", "init.scope"] {
            #expect(KubeletCgroup.containerID(in: name) == nil, "\(name)")
        }
    }

    @Test func qosClassesOnlyDirectlyUnderKubepods() {
        #expect(KubeletCgroup.classify("burstable", parent: .kubepods) == .qos("burstable"))
        #expect(KubeletCgroup.classify("kubepods-besteffort.slice", parent: .kubepods) == .qos("besteffort"))
        #expect(KubeletCgroup.classify("burstable", parent: .qos("besteffort")) == nil)
        #expect(KubeletCgroup.classify("kubepods", parent: .root) == .kubepods)
        #expect(KubeletCgroup.classify("system.slice", parent: .root) == nil)
        #expect(KubeletCgroup.classify(Self.id, parent: .container(id: Self.id, podUID: "x")) == nil)
    }
}

struct MachineAndDeviceParsingTests {
    @Test(arguments: [("0\n", 1), ("0-3\n", 4), ("0-3,6\n", 5), ("0-1,4-5,9\n", 5), ("0-127", 128)])
    func cpuLists(list: String, count: Int) throws {
        let result = try Array(list.utf8).withUnsafeBufferPointer { try MachineInfo.countCPUs(inList: $0, file: "online") }
        #expect(result == count)
    }

    @Test(arguments: ["", "\n", "3-1\n", "a-b\n", "0-\n", "1,,\n"])
    func badCPULists(list: String) {
        #expect(throws: ParseError.self) {
            try Array(list.utf8).withUnsafeBufferPointer { try MachineInfo.countCPUs(inList: $0, file: "online") }
        }
    }

    @Test func ioStatLines() {
        let text = "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=5 dios=6\n259:1 rbytes=10 wbytes=20 rios=30 wios=40\nbad\n1:x rbytes=1\n"
        let devices = Array(text.utf8).withUnsafeBufferPointer { CgroupStatsReader.parseIOStat($0) }
        #expect(devices == [
            CgroupStats.DeviceIO(major: 8, minor: 0, readBytes: 1, writeBytes: 2, reads: 3, writes: 4),
            CgroupStats.DeviceIO(major: 259, minor: 1, readBytes: 10, writeBytes: 20, reads: 30, writes: 40),
        ])
    }

    @Test func limitsAboveTwoToThe62AreUnlimited() {
        #expect(CgroupSpec.limit(nil) == 0)
        #expect(CgroupSpec.limit(9_223_372_036_854_771_712) == 0)
        #expect(CgroupSpec.limit(UInt64.max) == 0)
        #expect(CgroupSpec.limit(1 << 62) == 1 << 62)
        #expect(CgroupSpec.limit(268_435_456) == 268_435_456)
    }
}
