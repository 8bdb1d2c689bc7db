@testable import Agent
import Foundation
import KubeState
import Testing
import TestSupport

/// Sharding against the fake API server, every kind at once: replicas serve disjoint
/// sets of objects whose union is what one unsharded replica serves, with fixed counts
/// and with `auto` following a StatefulSet whose replicas change.
@Suite(.serialized)
struct ShardingEndToEndTests {
    /// Every fixture object of every kind, and 150 more pods with random UIDs so that
    /// each of four shards has a share.
    static func startServer(in scratch: TemporaryDirectory) throws -> FakeAPIServer {
        let (objects, _) = try KubeStateEndToEndTests.objectsFile(in: scratch)
        var options = FakeAPIServer.Options()
        options.objectsFiles = [objects]
        let server = try FakeAPIServer(options)
        try server.upsert(resource: "pods", objects: (0..<150).map { index in
            ["apiVersion": "v1", "kind": "Pod",
             "metadata": ["name": "extra-\(index)", "namespace": "shop", "uid": UUID().uuidString.lowercased(),
                          "creationTimestamp": "2024-05-01T10:00:00Z"],
             "spec": ["nodeName": "node-\(index % 7)", "containers": [["name": "app", "image": "shop:1"]]],
             "status": ["phase": "Running"]]
        })
        return server
    }

    static func config(_ server: FakeAPIServer, shard: KubeStateConfig.ShardSetting, total: KubeStateConfig.ShardSetting) throws -> AgentConfig {
        var config = AgentConfig()
        config.kubernetes.kubeconfig = try server.writeKubeconfig()
        config.kubeMetrics.node.enabled = false
        config.kubeMetrics.cadvisor.enabled = false
        config.kubeMetrics.kubeState.resources = KubeResources.names
        config.kubeMetrics.kubeState.metricLabelsAllowlist = ["*": ["*"]]
        config.kubeMetrics.kubeState.shard = shard
        config.kubeMetrics.kubeState.totalShards = total
        return config
    }

    /// The sample lines a replica serves (headers left out: every shard with objects of
    /// a kind writes them).
    static func samples(_ live: LiveAgent) throws -> Set<String> {
        Set(try HTTP.get(live.baseURL + "/metrics/kubestate").body.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init))
    }

    /// Nil when the shards are disjoint and their union is `reference`; else what is wrong.
    static func partitionProblem(_ shards: [Set<String>], reference: Set<String>) -> String? {
        var union = Set<String>()
        for (index, shard) in shards.enumerated() {
            let twice = union.intersection(shard)
            if !twice.isEmpty { return "shard \(index) repeats \(twice.count) samples, e.g. \(twice.first!)" }
            union.formUnion(shard)
        }
        if union != reference {
            return "missing \(reference.subtracting(union).count) (e.g. \(reference.subtracting(union).first ?? "")), extra \(union.subtracting(reference).count)"
        }
        return nil
    }

    static func selfMetric(_ live: LiveAgent, _ name: String) throws -> String? {
        try HTTP.get(live.baseURL + "/metrics/self").body.split(separator: "\n").first { $0.hasPrefix(name + " ") }.map(String.init)
    }

    @Test func threeShardsServeDisjointSetsCoveringEveryObject() async throws {
        let scratch = try TemporaryDirectory()
        let server = try Self.startServer(in: scratch)
        defer { server.stop() }
        let reference = try await LiveAgent(config: Self.config(server, shard: .number(0), total: .number(1)))
        var shards: [LiveAgent] = []
        for shard in 0..<3 { shards.append(try await LiveAgent(config: Self.config(server, shard: .number(shard), total: .number(3)))) }
        let agents = shards + [reference]
        defer { Task { for live in agents { try? await live.stop() } } }
        for live in agents { try await KubeStateEndToEndTests.waitUntilReady(live) }

        let expected = try Self.samples(reference)
        #expect(expected.count > 1000)
        let served = try shards.map(Self.samples)
        #expect(Self.partitionProblem(served, reference: expected) == nil)
        for (index, samples) in served.enumerated() {
            #expect(samples.count > expected.count / 6, "shard \(index) serves \(samples.count) of \(expected.count)")
            #expect(try Self.selfMetric(shards[index], "telegen_kube_shard_ordinal") == "telegen_kube_shard_ordinal \(index)")
            #expect(try Self.selfMetric(shards[index], "telegen_kube_total_shards") == "telegen_kube_total_shards 3")
        }
        // Another shard's objects are skipped, not stored.
        let held = shards.map { $0.agent.kubernetes!.source.statistics.reduce(0) { $0 + $1.objects } }
        let all = reference.agent.kubernetes!.source.statistics.reduce(0) { $0 + $1.objects }
        #expect(held.reduce(0, +) == all)
    }

    @Test func autoFollowsTheStatefulSetFromThreeToFourReplicas() async throws {
        let scratch = try TemporaryDirectory()
        let server = try Self.startServer(in: scratch)
        defer { server.stop() }
        func statefulSet(replicas: Int) -> [String: Any] {
            ["apiVersion": "apps/v1", "kind": "StatefulSet",
             "metadata": ["name": "telegen-kube-state", "namespace": "monitoring", "uid": "5e7a0000-0000-4000-8000-000000000001",
                          "creationTimestamp": "2024-05-01T10:00:00Z", "generation": replicas],
             "spec": ["replicas": replicas, "serviceName": "telegen-kube-state", "selector": ["matchLabels": ["app": "telegen"]]],
             "status": ["replicas": replicas, "observedGeneration": replicas]]
        }
        try server.upsert(resource: "statefulsets", group: "apps", version: "v1", object: statefulSet(replicas: 3))

        let reference = try await LiveAgent(config: Self.config(server, shard: .number(0), total: .number(1)))
        var shards: [LiveAgent] = []
        for ordinal in 0..<4 {
            shards.append(try await LiveAgent(config: Self.config(server, shard: .auto, total: .auto),
                                              environment: ["POD_NAME": "telegen-kube-state-\(ordinal)", "POD_NAMESPACE": "monitoring"]))
        }
        let agents = shards + [reference]
        defer { Task { for live in agents { try? await live.stop() } } }
        for live in agents { try await KubeStateEndToEndTests.waitUntilReady(live) }

        // Three replicas: the fourth pod (about to start, or left over) serves nothing.
        var expected = try Self.samples(reference)
        var served = try shards.map(Self.samples)
        #expect(Self.partitionProblem(Array(served[0..<3]), reference: expected) == nil)
        #expect(served[3].isEmpty)
        #expect(try Self.selfMetric(shards[3], "telegen_kube_total_shards") == "telegen_kube_total_shards 3")

        let listsBefore = shards.map { $0.agent.kubernetes!.source.statistics.reduce(0) { $0 + $1.reflectors.reduce(0) { $0 + $1.listCalls } } }
        try server.upsert(resource: "statefulsets", group: "apps", version: "v1", object: statefulSet(replicas: 4))
        let deadline = ContinuousClock.now.advanced(by: .seconds(20))
        var problem: String? = "not checked"
        repeat {
            try await Task.sleep(for: .milliseconds(100))
            expected = try Self.samples(reference)
            served = try shards.map(Self.samples)
            problem = Self.partitionProblem(served, reference: expected)
        } while (problem != nil || served[3].isEmpty) && ContinuousClock.now < deadline
        #expect(problem == nil)
        #expect(served[3].count > expected.count / 8, "the new shard serves \(served[3].count) of \(expected.count)")
        for live in shards {
            #expect(try Self.selfMetric(live, "telegen_kube_total_shards") == "telegen_kube_total_shards 4")
        }
        // Every replica listed again (that is how the ones staying learn nothing new; jump
        // hashing only moves objects to the new shard), and the process was not restarted.
        let listsAfter = shards.map { $0.agent.kubernetes!.source.statistics.reduce(0) { $0 + $1.reflectors.reduce(0) { $0 + $1.listCalls } } }
        for (before, after) in zip(listsBefore, listsAfter) { #expect(after > before) }
    }
}
