@testable import Agent
import Foundation
import Testing
import TestSupport

/// A node with one running pod (a cgroup v2 fixture tree with PSI, a sandbox and an app
/// container), and the agent configuration that points the container collector at it.
enum AgentCAdvisorNode {
    static let pod = "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod7e3a9c1b_2d4f_4e6a_8b0c_1d2e3f4a5b6c.slice"
    static let sandbox = String(repeating: "9c", count: 32)
    static let app = String(repeating: "7d", count: 32)

    static func make() throws -> (HostFixture, AgentConfig) {
        let host = try HostFixture()
        try host.v2Root()
        try host.cgroup("/kubepods.slice", HostFixture.v2Files(usageMicros: 9_000_000, memory: 90_000_000))
        try host.cgroup("/kubepods.slice/kubepods-besteffort.slice", HostFixture.v2Files(usageMicros: 8_000_000, memory: 80_000_000))
        try host.cgroup(pod, HostFixture.v2Files(usageMicros: 7_000_000, memory: 70_000_000))
        try host.cgroup(pod + "/cri-containerd-\(sandbox).scope", HostFixture.v2Files(usageMicros: 10_000, memory: 400_000, procs: [42]))
        try host.process(42, comm: "pause", interfaces: [("eth0", 4242)])
        let pressure = "some avg10=0.00 avg60=0.00 avg300=0.00 total=1500\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=700\n"
        try host.cgroup(pod + "/cri-containerd-\(app).scope", HostFixture.v2Files(
            usageMicros: 6_000_000, memory: 60_000_000, procs: [43, 44],
            extra: ["cpu.max": "20000 100000\n", "cpu.pressure": pressure, "memory.pressure": pressure, "io.pressure": pressure,
                    "io.stat": "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n"]))

        var config = AgentConfig()
        config.kubeMetrics.node.enabled = false
        config.kubeMetrics.node.sysRoot = host.directory.path + "/sys"
        config.kubeMetrics.node.rootfs = host.directory.path + "/root"
        config.kubeMetrics.cadvisor.cgroupRoot = host.cgroupRoot
        config.kubeMetrics.cadvisor.procRoot = host.directory.path + "/proc"
        return (host, config)
    }
}

/// The container collector inside the agent: its endpoint, and its drops in the self-metrics.
struct CAdvisorCollectionTests {
    @Test func unreadableAndVanishedCgroupsAreCountedInSelfMetrics() async throws {
        let (host, config) = try AgentCAdvisorNode.make()
        let app = AgentCAdvisorNode.pod + "/cri-containerd-\(AgentCAdvisorNode.app).scope"
        try host.write("cgroup\(app)/memory.current", "garbage\n")
        let live = try await LiveAgent(config: config)
        defer { Task { try? await live.stop() } }

        let cadvisor = try HTTP.get(live.baseURL + "/metrics/cadvisor").body
        #expect(!cadvisor.contains("id=\"\(app)\""))
        #expect(cadvisor.contains("id=\"\(AgentCAdvisorNode.pod)/cri-containerd-\(AgentCAdvisorNode.sandbox).scope\""))
        var selfText = try HTTP.get(live.baseURL + "/metrics/self").body
        #expect(selfText.contains("telegen_collector_skipped_objects_total{collector=\"cadvisor\",reason=\"unreadable\"} 1"))
        #expect(selfText.contains("telegen_collector_errors_total{collector=\"cadvisor\",subsystem=\"cgroup\"} 1"))

        // The container ends: its cgroup is gone at the next cycle, which is not an error.
        try FileManager.default.removeItem(atPath: host.cgroupRoot + app)
        await live.refresh()
        selfText = try HTTP.get(live.baseURL + "/metrics/self").body
        #expect(selfText.contains("telegen_collector_errors_total{collector=\"cadvisor\",subsystem=\"cgroup\"} 1"))
        #expect(selfText.contains("telegen_collector_runs_total{collector=\"cadvisor\"} 2"))
    }
}
