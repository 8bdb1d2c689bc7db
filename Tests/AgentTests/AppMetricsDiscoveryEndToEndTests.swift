@testable import Agent
import AppMetrics
import Foundation
import Logging
import Testing
import TestSupport

/// Application metrics' targets from the agent's node-local pod watch, against the
/// fake API server: annotated pods appear and disappear as targets as they change,
/// with no restart and no other API request.
@Suite(.serialized)
struct AppMetricsDiscoveryEndToEndTests {
    static func pod(_ name: String, node: String = "node-a", phase: String = "Running", podIP: String = "10.0.0.1",
                    annotations: [String: String] = [:], labels: [String: String] = [:], ports: [[String: Any]] = [],
                    owner: (kind: String, name: String)? = nil) -> [String: Any] {
        var metadata: [String: Any] = ["name": name, "namespace": "apps", "uid": "uid-\(name)", "creationTimestamp": "2024-05-01T10:00:00Z",
                                       "annotations": annotations, "labels": labels]
        if let owner {
            metadata["ownerReferences"] = [["apiVersion": "apps/v1", "kind": owner.kind, "name": owner.name, "uid": "owner-\(name)", "controller": true]]
        }
        var status: [String: Any] = ["phase": phase]
        if !podIP.isEmpty { status["podIP"] = podIP }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": metadata,
                "spec": ["nodeName": node, "containers": [["name": "app", "image": "app:1", "ports": ports]]], "status": status]
    }

    /// Liveness bound: loose, as the whole suite can starve this process's cooperative pool
    /// for tens of seconds (a CI run once took over 20 s to see the first list here).
    static func waitFor(_ what: String, timeout: Duration = .seconds(90), _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(condition(), "\(what)")
    }

    @Test func annotatedRunningPodsOfThisNodeAreTargetsAsTheyChange() async throws {
        let server = try FakeAPIServer(FakeAPIServer.Options(nodes: 2))
        defer { server.stop() }
        try server.upsert(resource: "pods", objects: [
            Self.pod("prom-annotated", annotations: ["prometheus.io/scrape": "true", "prometheus.io/port": "9102", "prometheus.io/path": "/stats"],
                     labels: ["app.kubernetes.io/name": "checkout"]),
            Self.pod("victoria-named-port", podIP: "10.0.0.2", annotations: ["victoriametrics.com/scrape": "true"],
                     ports: [["name": "http", "containerPort": 8080], ["name": "http-metrics", "containerPort": 9090, "protocol": "TCP"]],
                     owner: ("ReplicaSet", "web-frontend-6b7f8d9c5")),
            Self.pod("not-annotated", podIP: "10.0.0.3", ports: [["name": "metrics", "containerPort": 9100]]),
            Self.pod("pending", phase: "Pending", podIP: "", annotations: ["prometheus.io/scrape": "true", "prometheus.io/port": "80"]),
            Self.pod("no-ip", podIP: "", annotations: ["prometheus.io/scrape": "true", "prometheus.io/port": "80"]),
            Self.pod("other-node", node: "node-b", podIP: "10.0.0.9", annotations: ["prometheus.io/scrape": "true", "prometheus.io/port": "80"]),
            Self.pod("portless", podIP: "10.0.0.4", annotations: ["prometheus.io/scrape": "true"]),
        ])
        var config = AgentConfig()
        config.kubernetes.kubeconfig = try server.writeKubeconfig()
        config.kubeMetrics.kubeState.enabled = false
        config.kubeMetrics.cadvisor.enabled = false
        config.kubeMetrics.appMetrics.enabled = true
        let access = try #require(try KubernetesAccess.make(config: config, kubeconfigFlag: nil, nodeName: "node-a", environment: [:],
                                                            logger: Logger(label: "test")))
        let targets = try #require(access.appTargets)
        let watch = Task { await access.source.run() }
        defer {
            watch.cancel()
            access.client.shutdown()
        }
        func summary() -> [String] { targets.targets.map { "\($0.podName) \($0.serviceName) \($0.instance)\($0.path)" } }
        try await Self.waitFor("the first list") { summary().count == 2 }
        #expect(summary() == ["prom-annotated checkout 10.0.0.1:9102/stats", "victoria-named-port web-frontend 10.0.0.2:9090/metrics"])
        #expect(targets.skipped == ["no_port": 1])

        // The pending pod starts running with an IP: it becomes a target.
        try server.upsert(resource: "pods", object: Self.pod("pending", podIP: "10.0.0.5",
                                                             annotations: ["prometheus.io/scrape": "true", "prometheus.io/port": "80"]))
        try await Self.waitFor("the started pod") { summary().contains("pending pending 10.0.0.5:80/metrics") }
        // An annotation change moves the target; turning scraping off removes it.
        try server.upsert(resource: "pods", object: Self.pod("prom-annotated", annotations: ["prometheus.io/scrape": "true", "prometheus.io/port": "9103"],
                                                             labels: ["app.kubernetes.io/name": "checkout"]))
        try await Self.waitFor("the moved port") { summary().contains("prom-annotated checkout 10.0.0.1:9103/metrics") }
        try server.upsert(resource: "pods", object: Self.pod("victoria-named-port", podIP: "10.0.0.2", annotations: ["victoriametrics.com/scrape": "false"],
                                                             ports: [["name": "http-metrics", "containerPort": 9090]]))
        try await Self.waitFor("scraping turned off") { !summary().contains { $0.hasPrefix("victoria-named-port") } }
        // A deleted pod is no longer a target.
        try server.delete(resource: "pods", namespace: "apps", name: "pending")
        try await Self.waitFor("the deleted pod") { !summary().contains { $0.hasPrefix("pending") } }
        #expect(summary() == ["prom-annotated checkout 10.0.0.1:9103/metrics"])

        // Only the pod watch was used: one list and its watch, limited to this node.
        let requests = try server.requests()
        #expect(requests.allSatisfy { $0["path"] as? String == "/api/v1/pods" }, "\(requests.map { $0["path"] ?? "" })")
        #expect(requests.allSatisfy { ($0["query"] as? [String: String])?["fieldSelector"] == "spec.nodeName=node-a" },
                "\(requests.map { $0["query"] ?? "" })")
    }
}
