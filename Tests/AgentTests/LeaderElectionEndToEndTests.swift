import Foundation
import Testing
import TestSupport

/// A simulated DaemonSet: two or three `telegen` processes, each on its own "node",
/// with leader election on a Lease of the fake API server (which answers PUTs with
/// resourceVersion conflicts as kube-apiserver does). Exactly one replica serves the
/// cluster-wide kinds and streams events; every replica serves its own node's pods.
/// Timings are short (lease 4 s, renew deadline 3 s, retry 500 ms) and every bound
/// checked below is derived from them.
@Suite(.serialized)
struct LeaderElectionEndToEndTests {
    static let leaseDuration = 4.0
    static let renewDeadline = 3.0
    static let retryPeriod = 0.5

    // MARK: One writer

    @Test func exactlyOneReplicaServesClusterStateAndStreamsEvents() async throws {
        let cluster = try ElectionCluster()
        let agents = try ["a", "b", "c"].map { try cluster.startAgent($0) }
        defer { agents.forEach { $0.stop() } }
        let leader = try await cluster.waitForOneLeader(agents)

        // Every replica serves its own node's pods; only the leader the deployments and nodes.
        for _ in 0..<10 {
            let serving = agents.filter { $0.servesClusterState() }
            #expect(serving.map(\.name) == [leader.name])
            for agent in agents {
                let pods = agent.kubeState().split(separator: "\n").filter { $0.hasPrefix("kube_pod_info{") }
                #expect(pods.count == 1 && pods.allSatisfy { $0.contains("node=\"node-\(agent.name)\"") }, "\(agent.name): \(pods)")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        // The followers keep no cluster-wide watch open: one watch per cluster-wide kind, the leader's.
        let watches = try cluster.server.state()["watches"] as? [[String: Any]] ?? []
        for resource in ["apps/v1/deployments", "nodes", "events"] {
            #expect(watches.filter { $0["resource"] as? String == resource }.count == 1, "watches of \(resource): \(watches)")
        }
        #expect(watches.filter { $0["resource"] as? String == "pods" }.count == 3)

        for index in 1...4 { try cluster.writeEvent("e\(index)", count: 1) }
        try await cluster.waitForOccurrences(4)
        try await Task.sleep(for: .seconds(1))
        let occurrences = try cluster.occurrences()
        #expect(occurrences.map(\.key).sorted() == ["u-e1#1", "u-e2#1", "u-e3#1", "u-e4#1"])
        #expect(Set(occurrences.map(\.sender)) == [leader.name])
    }

    // MARK: Handover

    @Test func aKilledLeaderIsReplacedWithinTheLeaseDurationAndEventsResumeWithoutDuplicates() async throws {
        let cluster = try ElectionCluster()
        let agents = try ["a", "b"].map { try cluster.startAgent($0) }
        defer { agents.forEach { $0.stop() } }
        let leader = try await cluster.waitForOneLeader(agents)
        let follower = agents.first { $0 !== leader }!
        try cluster.writeEvent("e1", count: 1)
        try cluster.writeEvent("e2", count: 1)
        try await cluster.waitForOccurrences(2)
        // Two renewals later the Lease carries the checkpoint past e1 and e2.
        try await Task.sleep(for: .seconds(3 * Self.retryPeriod))
        let annotation = try cluster.leaseAnnotation()
        #expect(annotation?.contains("telegen.events/v1") == true, "lease annotation: \(annotation ?? "none")")

        leader.kill9()
        try cluster.writeEvent("e3", count: 1)
        try cluster.writeEvent("e1", count: 2)
        let takeover = try await cluster.eventually("the follower leads", timeout: .seconds(20)) { follower.leads() == true }
        // Not before the Lease could expire on the follower's clock, and at most one
        // lease duration plus one jittered read after (plus scrape and scheduling slack).
        print("kill -9: the follower led \(takeover) after the holder died")
        #expect(takeover >= .seconds(Self.leaseDuration - 1.5), "took over after \(takeover)")
        #expect(takeover <= .seconds(Self.leaseDuration + 2.2 * Self.retryPeriod + 1.5), "took over after \(takeover)")
        try await cluster.waitForOccurrences(4)
        try await Task.sleep(for: .seconds(2))
        let occurrences = try cluster.occurrences()
        #expect(occurrences.map(\.key).sorted() == ["u-e1#1", "u-e1#2", "u-e2#1", "u-e3#1"])
        #expect(occurrences.filter { $0.sender == follower.name }.map(\.key).sorted() == ["u-e1#2", "u-e3#1"])
        #expect(try cluster.lease()["spec"].flatMap { ($0 as? [String: Any])?["leaseTransitions"] as? Int } == 1)
    }

    @Test func aStoppedLeaderReleasesTheLeaseAndTheNextTakesOverAtOnce() async throws {
        let cluster = try ElectionCluster()
        let agents = try ["a", "b"].map { try cluster.startAgent($0) }
        defer { agents.forEach { $0.stop() } }
        let leader = try await cluster.waitForOneLeader(agents)
        let follower = agents.first { $0 !== leader }!
        try cluster.writeEvent("e1", count: 1)
        try await cluster.waitForOccurrences(1)
        // Delivered just before the stop: the release carries the final checkpoint.
        try cluster.writeEvent("e2", count: 1)
        try await cluster.waitForOccurrences(2)

        let stopped = ContinuousClock.now
        leader.terminate()
        #expect(leader.exitStatus == 0)
        let exited = ContinuousClock.now
        #expect(exited - stopped < .seconds(Self.renewDeadline + 2), "the SIGTERM took \(exited - stopped)")
        let takeover = try await cluster.eventually("the follower leads", timeout: .seconds(20)) { follower.leads() == true }
        print("SIGTERM: the holder exited \(exited - stopped) after the signal; the follower led \(takeover) later")
        #expect(takeover <= .seconds(2.2 * Self.retryPeriod + 1.5), "took over \(takeover) after the leader exited")
        try cluster.writeEvent("e3", count: 1)
        try await cluster.waitForOccurrences(3)
        try await Task.sleep(for: .seconds(2))
        #expect(try cluster.occurrences().map(\.key).sorted() == ["u-e1#1", "u-e2#1", "u-e3#1"])
        #expect(follower.servesClusterState())
    }

    // MARK: Partition

    @Test func aLeaderCutOffFromTheAPIServerStopsServingClusterStateBeforeAnotherTakesOver() async throws {
        let cluster = try ElectionCluster()
        let proxy = try TCPProxy(target: cluster.server.port)
        let a = try cluster.startAgent("a", kubeconfig: try cluster.server.writeKubeconfig(through: proxy.port))
        defer { a.stop() }
        _ = try await cluster.eventually("a leads", timeout: .seconds(20)) { a.leads() == true && a.servesClusterState() }
        let b = try cluster.startAgent("b")
        defer { b.stop() }
        try await cluster.eventually("b is ready", timeout: .seconds(20)) { b.leads() == false }

        try proxy.blackhole()
        let cut = ContinuousClock.now
        var bothServed = false
        var aStopped: Duration?
        var bServes: Duration?
        while ContinuousClock.now - cut < .seconds(20) && (aStopped == nil || bServes == nil) {
            let aServes = a.servesClusterState()
            let bNow = b.servesClusterState()
            if aServes && bNow { bothServed = true }
            if aStopped == nil && !aServes { aStopped = ContinuousClock.now - cut }
            if bServes == nil && bNow { bServes = ContinuousClock.now - cut }
            try await Task.sleep(for: .milliseconds(100))
        }
        print("partition: the holder stopped serving \(aStopped.map { "\($0)" } ?? "never") after the cut, the follower served \(bServes.map { "\($0)" } ?? "never") after it")
        #expect(!bothServed, "both replicas served cluster state at once")
        let stopped = try #require(aStopped, "the cut-off leader kept serving cluster state")
        let replaced = try #require(bServes, "nobody took over")
        // The holder stops renew_deadline after the start of its last renewal (at most a
        // retry period before the cut); the follower waits a whole lease duration.
        #expect(stopped <= .seconds(Self.renewDeadline + 1), "stopped \(stopped) after the cut")
        #expect(replaced > stopped)
        #expect(a.leads() == false)
        #expect(a.selfMetric("telegen_leader_renew_failures_total").map { $0 >= 1 } == true)

        // Reconnected, it stays a follower: the Lease is b's.
        try proxy.forward()
        try await Task.sleep(for: .seconds(3))
        #expect(a.leads() == false && !a.servesClusterState())
        #expect(b.leads() == true)
    }
}

// MARK: - Harness

/// The fake API server with three nodes, a deployment and one pod per node, the grpcio
/// OTLP receiver for the events, and the agents' shared configuration.
final class ElectionCluster: @unchecked Sendable {
    // @unchecked: used from the test's own task only.
    let server: FakeAPIServer
    let receiver: OTLPReceiver
    let scratch: TemporaryDirectory

    init() throws {
        var options = FakeAPIServer.Options()
        options.requireToken = true
        options.bookmarkInterval = 1
        server = try FakeAPIServer(options)
        receiver = try OTLPReceiver()
        scratch = try TemporaryDirectory("election")
        for name in ["a", "b", "c"] {
            try server.upsert(resource: "nodes", object: [
                "metadata": ["name": "node-\(name)", "uid": "uid-node-\(name)", "creationTimestamp": "2026-12-03T09:00:00Z"],
                "status": ["conditions": [["type": "Ready", "status": "True"]]],
            ])
            try server.upsert(resource: "pods", object: [
                "metadata": ["name": "web-\(name)", "namespace": "default", "uid": "uid-web-\(name)",
                             "creationTimestamp": "2026-12-03T09:00:00Z"],
                "spec": ["nodeName": "node-\(name)", "containers": [["name": "web", "image": "web:1"]]],
                "status": ["phase": "Running"],
            ])
        }
        try server.upsert(resource: "deployments", group: "apps", version: "v1", object: [
            "metadata": ["name": "web", "namespace": "default", "uid": "uid-deploy-web", "creationTimestamp": "2026-12-03T09:00:00Z"],
            "spec": ["replicas": 3],
            "status": ["replicas": 3],
        ])
    }

    deinit {
        receiver.stop()
        server.stop()
    }

    /// A replica named `name` (its POD_NAME, and node `node-<name>`).
    func startAgent(_ name: String, kubeconfig: String? = nil) throws -> ElectedAgent {
        let port = try LocalPort.free()
        let config = try scratch.write("\(name).yaml", """
            kubernetes:
              kubeconfig: \(try kubeconfig ?? server.writeKubeconfig())
              leader_election:
                enabled: true
                namespace: monitoring
                lease_name: telegen
                lease_duration: \(Int(LeaderElectionEndToEndTests.leaseDuration))s
                renew_deadline: \(Int(LeaderElectionEndToEndTests.renewDeadline))s
                retry_period: \(Int(LeaderElectionEndToEndTests.retryPeriod * 1000))ms
            kube_metrics:
              listen_address: "127.0.0.1:\(port)"
              kube_state:
                resources: [deployments, nodes, pods]
                node_local_pods: true
              cadvisor: {enabled: false}
              node: {enabled: false}
              streaming:
                endpoint: http://127.0.0.1:\(receiver.port)
                retry: {initial_interval: 200ms}
              logs_streaming:
                enabled: true
                checkpoint_file: \(scratch.path)/\(name).checkpoint

            """)
        return try ElectedAgent(name: name, port: port, config: config, log: scratch.url.appendingPathComponent("\(name).log"))
    }

    /// Waits until exactly one of `agents` leads and serves the cluster-wide kinds.
    func waitForOneLeader(_ agents: [ElectedAgent]) async throws -> ElectedAgent {
        var leader: ElectedAgent?
        _ = try await eventually("one replica leads", timeout: .seconds(30)) {
            let leading = agents.filter { $0.leads() == true }
            leader = leading.count == 1 && leading[0].servesClusterState() ? leading[0] : nil
            return leader != nil
        }
        return try #require(leader)
    }

    /// Polls `condition` every 100 ms; returns how long it took, or fails after `timeout`.
    @discardableResult
    func eventually(_ what: String, timeout: Duration, _ condition: () -> Bool) async throws -> Duration {
        let start = ContinuousClock.now
        while !condition() {
            guard ContinuousClock.now - start < timeout else {
                Issue.record("timed out waiting until \(what)")
                throw ElectionTimeout(what: what)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return ContinuousClock.now - start
    }

    func writeEvent(_ name: String, count: Int) throws {
        try server.upsert(resource: "events", object: EventCluster.event(name, uid: "u-\(name)", count: count))
    }

    /// The Lease as the API server stores it.
    func lease() throws -> [String: Any] {
        try server.object("/apis/coordination.k8s.io/v1/namespaces/monitoring/leases/telegen")
    }

    func leaseAnnotation() throws -> String? {
        let metadata = try lease()["metadata"] as? [String: Any]
        return (metadata?["annotations"] as? [String: String])?["telegen.io/events-checkpoint"]
    }

    /// Every event record the receiver accepted, with who sent it.
    func occurrences() throws -> [EventCluster.Occurrence] {
        EventCluster.occurrences(in: try receiver.received())
    }

    func waitForOccurrences(_ count: Int) async throws {
        try await eventually("\(count) event records arrive", timeout: .seconds(30)) { ((try? occurrences().count) ?? 0) >= count }
    }
}

struct ElectionTimeout: Error {
    var what: String
}

/// One `telegen` process of the simulated DaemonSet, serving on its own port.
final class ElectedAgent: Sendable {
    let name: String
    let port: Int
    private let process: BackgroundProcess

    init(name: String, port: Int, config: String, log: URL) throws {
        self.name = name
        self.port = port
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("OTEL_") }
        environment["POD_NAME"] = name
        environment["POD_NAMESPACE"] = "monitoring"
        process = try BackgroundProcess(try Repository.telegenBinary(), ["--config", config, "--node-name", "node-\(name)"],
                                        logFile: log, environment: environment)
    }

    private func get(_ path: String) -> String? {
        guard let answer = try? HTTP.get("http://127.0.0.1:\(port)\(path)"), answer.status == 200 else { return nil }
        return answer.body
    }

    func kubeState() -> String { get("/metrics/kubestate") ?? "" }

    /// Serves any cluster-wide family (deployments or nodes).
    func servesClusterState() -> Bool {
        kubeState().split(separator: "\n").contains { $0.hasPrefix("kube_deployment_") || $0.hasPrefix("kube_node_") }
    }

    /// The value of an unlabelled or single-series self-metric.
    func selfMetric(_ name: String) -> Double? {
        guard let text = get("/metrics/self") else { return nil }
        let line = text.split(separator: "\n").first { $0.hasPrefix(name + " ") || $0.hasPrefix(name + "{") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    /// `telegen_leader` as served; nil while the agent does not answer.
    func leads() -> Bool? {
        selfMetric("telegen_leader").map { $0 == 1 }
    }

    func kill9() { process.signal(SIGKILL) }

    /// SIGTERM, and waits for the exit.
    func terminate() { process.signal(SIGTERM) }

    var exitStatus: Int32 { process.terminationStatus }

    func stop() { process.stop() }
}

/// Tests/Python/tcp_proxy.py between an agent and the API server: `blackhole` drops
/// every byte without closing anything, as a partition does.
final class TCPProxy: Sendable {
    let server: PythonServer
    private let modeFile: String
    var port: Int { server.port }

    init(target: Int) throws {
        let scratch = try TemporaryDirectory("proxy")
        modeFile = try scratch.write("mode", "forward")
        directory = scratch
        server = try PythonServer(script: "tcp_proxy.py", arguments: ["--target", "127.0.0.1:\(target)", "--mode-file", modeFile])
    }

    private let directory: TemporaryDirectory

    func blackhole() throws { try "blackhole".write(toFile: modeFile, atomically: true, encoding: .utf8) }
    func forward() throws { try "forward".write(toFile: modeFile, atomically: true, encoding: .utf8) }
}
