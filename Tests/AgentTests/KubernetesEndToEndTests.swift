@testable import Agent
import Foundation
import Testing
import TestSupport

/// The agent against the fake API server: kube-state pod families on
/// `/metrics/kubestate` once the first list is in, and container series named from
/// the watched pods.
@Suite(.serialized)
struct KubernetesEndToEndTests {
    static let uid = "230d977e-e225-4159-8720-771f8ca81811"  // kube-proxy-6sdgq in cluster-small.json
    static let containerID = "0316909e3bbbe9eaa8948c893b61867626bb7dbd2d1c9af0153e7c2a26a2c0bd"

    @Test func podFamiliesAndContainerNamesComeFromTheWatch() async throws {
        let promtool = try Command.which("promtool", installHint: "apt-get install prometheus (scripts/test does)")
        var options = FakeAPIServer.Options()
        options.objectsFiles = [FakeAPIServer.fixture("cluster-small.json")]
        options.requireToken = true
        let server = try FakeAPIServer(options)
        defer { server.stop() }

        // This node runs kube-proxy-6sdgq: its pod and container cgroups, as the kubelet's systemd driver names them.
        let (host, baseConfig) = try AgentCAdvisorNode.make()
        let pod = "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod\(Self.uid.replacingOccurrences(of: "-", with: "_")).slice"
        try host.cgroup(pod, HostFixture.v2Files(usageMicros: 1_000_000, memory: 10_000_000))
        try host.cgroup(pod + "/cri-containerd-\(Self.containerID).scope", HostFixture.v2Files(usageMicros: 900_000, memory: 9_000_000, procs: [77]))
        var config = baseConfig
        config.kubernetes.kubeconfig = try server.writeKubeconfig()
        config.kubeMetrics.kubeState.nodeLocalPods = .false
        config.kubeMetrics.kubeState.metricLabelsAllowlist = ["pods": ["k8s-app"]]

        // The container collector names only this node's pods, so the agent runs as kube-proxy's node.
        let live = try await LiveAgent(config: config, nodeName: "node-0001")
        defer { Task { try? await live.stop() } }
        let deadline = ContinuousClock.now.advanced(by: .seconds(20))
        while try HTTP.get(live.baseURL + "/readyz").status != 200 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            await live.refresh()
        }
        #expect(try HTTP.get(live.baseURL + "/readyz").status == 200)
        // Ready can come before a collection cycle has seen the synced pods (the first
        // cycle may run while the list is in flight): one more cycle names the containers.
        await live.refresh()

        let kubestate = try HTTP.get(live.baseURL + "/metrics/kubestate").body
        #expect(kubestate.split(separator: "\n").filter { $0.hasPrefix("kube_pod_info{") }.count == 16)
        #expect(kubestate.contains(#"kube_pod_container_info{namespace="kube-system",pod="kube-proxy-6sdgq",uid="\#(Self.uid)",container="kube-proxy""#))
        #expect(kubestate.contains("# HELP kube_pod_info [STABLE] Information about pod."))
        for accept in [nil, "application/openmetrics-text;version=1.0.0"] {
            let body = try HTTP.get(live.baseURL + "/metrics/kubestate", headers: accept.map { ["Accept": $0] } ?? [:]).body
            let checked = try Command.run(promtool, ["check", "metrics"], input: Array(body.utf8))
            #expect(checked.status == 0, "\(accept ?? "text"): \(checked.combinedOutput)")
        }

        let cadvisor = try HTTP.get(live.baseURL + "/metrics/cadvisor").body
        #expect(cadvisor.contains(#"container_cpu_usage_seconds_total{container="kube-proxy",cpu="total",id="\#(pod)/cri-containerd-\#(Self.containerID).scope",image="registry.k8s.io/kube-proxy:v1.30.2",name="\#(Self.containerID)",namespace="kube-system",pod="kube-proxy-6sdgq"} 0.9"#))

        // A deleted pod loses every series at the next cycle; an update shows in it.
        try server.delete(resource: "pods", namespace: "kube-system", name: "kube-proxy-6sdgq")
        var updated = try #require((try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: FakeAPIServer.fixture("cluster-small.json")))) as? [String: Any])?["pods"] as? [[String: Any]])
            .first { (($0["metadata"] as? [String: Any])?["name"] as? String) != "kube-proxy-6sdgq" }!
        var status = updated["status"] as? [String: Any] ?? [:]
        status["phase"] = "Failed"
        updated["status"] = status
        try server.upsert(resource: "pods", object: updated)
        let name = (updated["metadata"] as? [String: Any])?["name"] as? String ?? ""
        let waitUntil = ContinuousClock.now.advanced(by: .seconds(20))
        var after = ""
        repeat {
            try await Task.sleep(for: .milliseconds(100))
            await live.refresh()
            after = try HTTP.get(live.baseURL + "/metrics/kubestate").body
        } while (after.contains("pod=\"kube-proxy-6sdgq\"") || !after.contains(#"pod="\#(name)","#)
                 || !after.split(separator: "\n").contains { $0.contains(#"pod="\#(name)","#) && $0.contains(#"phase="Failed"} 1"#) })
            && ContinuousClock.now < waitUntil
        #expect(!after.contains("pod=\"kube-proxy-6sdgq\""))
        #expect(after.split(separator: "\n").contains { $0.hasPrefix("kube_pod_status_phase{") && $0.contains(#"pod="\#(name)","#) && $0.hasSuffix(#"phase="Failed"} 1"#) })
        #expect(after.split(separator: "\n").filter { $0.hasPrefix("kube_pod_info{") }.count == 15)

        let selfText = try HTTP.get(live.baseURL + "/metrics/self").body
        #expect(selfText.contains(#"telegen_kube_objects{resource="pods"} 15"#))
        #expect(selfText.contains(#"telegen_kube_synced{resource="pods"} 1"#))
        #expect(selfText.contains(#"telegen_kube_list_calls_total{resource="pods"} 1"#))
    }

    @Test func onceWaitsForTheFirstListOfPods() throws {
        var options = FakeAPIServer.Options()
        options.objectsFiles = [FakeAPIServer.fixture("cluster-small.json")]
        options.requireToken = true
        let server = try FakeAPIServer(options)
        defer { server.stop() }
        let scratch = try TemporaryDirectory()
        let config = try scratch.write("telegen.yaml", "kube_metrics:\n  cadvisor:\n    enabled: false\n  kube_state:\n    node_local_pods: \"false\"\n")
        let result = try Command.run(try Repository.telegenBinary(), ["--config", config, "--kubeconfig", try server.writeKubeconfig(), "--once"],
                                     timeout: 60)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").filter { $0.hasPrefix("kube_pod_info{") }.count == 16)
    }

    @Test func withoutAnyClusterTheKubernetesPartsStayOff() async throws {
        var config = AgentConfig()
        config.kubeMetrics.node.enabled = false
        let live = try await LiveAgent(config: config)
        defer { Task { try? await live.stop() } }
        #expect(live.agent.kubernetes == nil)
        #expect(try HTTP.get(live.baseURL + "/readyz").status == 200)
        #expect(!(try HTTP.get(live.baseURL + "/metrics").body.contains("kube_pod_")))
    }
}
