@testable import Agent
import Foundation
@testable import KubeState
import Testing
import TestSupport

/// Every kind kube-state serves, at once, against the fake API server (TLS + HTTP/2):
/// each kind's own fixture objects listed and watched over one connection, rendered
/// on `/metrics/kubestate` with every header, checked by promtool in both formats.
@Suite(.serialized)
struct KubeStateEndToEndTests {
    /// The objects of every fixture of every registered kind, given unique names and
    /// UIDs and spread over two namespaces, as an `--objects` file.
    static func objectsFile(in scratch: TemporaryDirectory) throws -> (path: String, counts: [String: Int]) {
        let root = Repository.root.appendingPathComponent("Tests/Fixtures/kubestate")
        var document: [String: [[String: Any]]] = [:]
        var counts: [String: Int] = [:]
        for resource in KubeResources.all {
            let descriptor = resource.descriptor
            let directory = root.appendingPathComponent(descriptor.name)
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
            var objects: [[String: Any]] = []
            for (index, file) in files.enumerated() {
                let data = try Data(contentsOf: directory.appendingPathComponent(file))
                guard var object = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["object"] as? [String: Any] else { continue }
                var metadata = object["metadata"] as? [String: Any] ?? [:]
                metadata["name"] = "\(descriptor.name)-\(index)"
                metadata["uid"] = String(format: "00000000-0000-4000-8000-%012d", counts.values.reduce(0, +) + index)
                if descriptor.api.namespaced { metadata["namespace"] = index % 2 == 0 ? "shop" : "kube-system" } else { metadata.removeValue(forKey: "namespace") }
                metadata["creationTimestamp"] = "2024-05-01T10:00:00Z"
                metadata.removeValue(forKey: "resourceVersion")
                object["metadata"] = metadata
                objects.append(object)
            }
            let key = descriptor.api.group.isEmpty ? descriptor.name : "\(descriptor.api.group)/\(descriptor.api.version)/\(descriptor.name)"
            document[key] = objects
            counts[descriptor.name] = objects.count
        }
        let path = try scratch.write("objects.json", String(decoding: try JSONSerialization.data(withJSONObject: document), as: UTF8.self))
        return (path, counts)
    }

    static func waitUntilReady(_ live: LiveAgent) async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while try HTTP.get(live.baseURL + "/readyz").status != 200 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(try HTTP.get(live.baseURL + "/readyz").status == 200)
    }

    @Test func everyKindOverOneConnection() async throws {
        let promtool = try Command.which("promtool", installHint: "apt-get install prometheus (scripts/test does)")
        let scratch = try TemporaryDirectory()
        let (objects, counts) = try Self.objectsFile(in: scratch)
        var options = FakeAPIServer.Options()
        options.objectsFiles = [objects]
        let server = try FakeAPIServer(options)
        defer { server.stop() }

        var config = AgentConfig()
        config.kubernetes.kubeconfig = try server.writeKubeconfig()
        config.kubeMetrics.node.enabled = false
        config.kubeMetrics.cadvisor.enabled = false
        config.kubeMetrics.kubeState.resources = KubeResources.names
        // Two namespaces: namespaced kinds are watched once per namespace, cluster-scoped ones once.
        config.kubeMetrics.kubeState.namespaces = ["shop", "kube-system"]
        config.kubeMetrics.kubeState.metricLabelsAllowlist = ["*": ["*"]]
        let live = try await LiveAgent(config: config)
        defer { Task { try? await live.stop() } }
        try await Self.waitUntilReady(live)

        let text = try HTTP.get(live.baseURL + "/metrics/kubestate").body
        for resource in KubeResources.all where counts[resource.descriptor.name, default: 0] > 0 {
            for family in resource.familyHeaders where !family.optIn {
                #expect(text.contains("# HELP \(family.header.name) "), "\(family.header.name)")
            }
        }
        for accept in [nil, "application/openmetrics-text;version=1.0.0"] {
            let body = try HTTP.get(live.baseURL + "/metrics/kubestate", headers: accept.map { ["Accept": $0] } ?? [:]).body
            let checked = try Command.run(promtool, ["check", "metrics"], input: Array(body.utf8))
            #expect(checked.status == 0, "\(accept ?? "text"): \(checked.combinedOutput)")
        }

        let requests = try server.requests().filter { ($0["path"] as? String)?.contains("/api") == true }
        #expect(Set(requests.compactMap { $0["connection"] as? Int }).count == 1, "every LIST and WATCH on one connection")
        for resource in KubeResources.all {
            let lists = requests.filter { $0["resource"] as? String == resource.descriptor.name && $0["verb"] as? String == "list" }
            #expect(lists.count == (resource.descriptor.api.namespaced ? 2 : 1), "\(resource.descriptor.name): \(lists.count) lists")
        }
        // Secrets and configmaps are asked for without their contents.
        for request in requests where ["secrets", "configmaps"].contains(request["resource"] as? String) {
            let accept = (request["headers"] as? [String: String])?["accept"] ?? ""
            #expect(accept.hasPrefix("application/json;as=Table;") || accept.hasPrefix("application/json;as=PartialObjectMetadata"), "\(accept)")
            #expect(!accept.contains(",application/json"), "no fallback to the whole object")
        }
    }

    @Test func anUpdateShowsWithoutTouchingOtherKindsAndAForbiddenKindHoldsNothingBack() async throws {
        let scratch = try TemporaryDirectory()
        let (objects, _) = try Self.objectsFile(in: scratch)
        var options = FakeAPIServer.Options()
        options.objectsFiles = [objects]
        let server = try FakeAPIServer(options)
        defer { server.stop() }
        try server.forbid("secrets")

        var config = AgentConfig()
        config.kubernetes.kubeconfig = try server.writeKubeconfig()
        config.kubeMetrics.node.enabled = false
        config.kubeMetrics.cadvisor.enabled = false
        config.kubeMetrics.kubeState.resources = ["deployments", "pods", "secrets"]
        let live = try await LiveAgent(config: config)
        defer { Task { try? await live.stop() } }
        try await Self.waitUntilReady(live)  // secrets are forbidden: reported, not waited for

        let before = try HTTP.get(live.baseURL + "/metrics/kubestate").body
        #expect(before.contains("kube_deployment_created{") && before.contains("kube_pod_info{"))
        #expect(!before.contains("kube_secret_"))
        let selfText = try HTTP.get(live.baseURL + "/metrics/self").body
        #expect(selfText.contains(#"telegen_kube_failing{resource="secrets"} 1"#))
        #expect(selfText.contains(#"telegen_kube_failing{resource="pods"} 0"#))

        let source = try #require(live.agent.kubernetes?.source)
        let podStores = try #require(source.watches.first { $0.name == "pods" } as? ResourceWatch<Pod>).sinks.map(\.store)
        let podGenerations = podStores.map(\.generation)
        try server.upsert(resource: "deployments", group: "apps", version: "v1", object: [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": "deployments-0", "namespace": "shop", "uid": "00000000-0000-4000-8000-000000000000",
                         "creationTimestamp": "2024-05-01T10:00:00Z"],
            "spec": ["replicas": 7], "status": ["replicas": 7],
        ])
        let deadline = ContinuousClock.now.advanced(by: .seconds(20))
        var after = ""
        repeat {
            try await Task.sleep(for: .milliseconds(50))
            after = try HTTP.get(live.baseURL + "/metrics/kubestate").body
        } while !after.contains(#"kube_deployment_spec_replicas{namespace="shop",deployment="deployments-0"} 7"#) && ContinuousClock.now < deadline
        #expect(after.contains(#"kube_deployment_spec_replicas{namespace="shop",deployment="deployments-0"} 7"#))
        #expect(podStores.map(\.generation) == podGenerations, "a deployment event touched the pods")
    }
}
