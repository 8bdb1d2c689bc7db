@testable import Agent
import Foundation
import HTTP2Transport
import KubeState
import KubeWatch
import Logging
import Testing
import TelemetryModel
import TestSupport

/// Stale resources in the self-metrics, against the fake API server: a kind the API
/// forbids (403) goes stale after four minimum watch timeouts and shows so on its
/// `telegen_kube_*` series, while a served kind stays connected and current.
@Suite(.serialized)
struct KubeStalenessSelfMetricsTests {
    static func text(_ metrics: SelfMetrics) -> String {
        String(decoding: ExpositionEncoder(format: .prometheusText).encode(metrics.families()), as: UTF8.self)
    }

    @Test func aForbiddenKindIsStaleAndAServedOneIsNot() async throws {
        var options = FakeAPIServer.Options()
        options.bookmarkInterval = 0.3
        let server = try FakeAPIServer(options)
        defer { server.stop() }
        try server.forbid("secrets")
        let access = try #require(try ClusterAccess.resolve(flag: try server.writeKubeconfig(), configured: "", environment: [:]))
        let client = try HTTP2Client(endpoint: access.endpoint, tls: access.tls)
        defer { client.shutdown() }
        var configuration = KubeStateConfiguration(resources: ["pods", "secrets"])
        // Watches of 1-2 s: stale after 4 s without a word from the server.
        configuration.minimumWatchTimeout = .seconds(1)
        let source = KubeStateSource(client: client, token: BearerToken(credential: access.credential), configuration: configuration,
                                     logger: Logger(label: "test"))
        let metrics = SelfMetrics(version: "test", startUnixNano: 0)
        metrics.attach(source)
        let task = Task { await source.run() }
        defer { task.cancel() }

        // Until secrets are stale while pods are current (loose: the whole suite can starve
        // this process's cooperative pool, and a starved pods reflector hears nothing).
        func podsCurrent() -> Bool {
            source.statistics.first { $0.resource == "pods" }?.reflectors.allSatisfy { !$0.stale && $0.silentFor < .seconds(4) } ?? false
        }
        let deadline = ContinuousClock.now.advanced(by: .seconds(90))
        var text = ""
        repeat {
            try await Task.sleep(for: .milliseconds(200))
            text = Self.text(metrics)
        } while !(text.contains(#"telegen_kube_stale{resource="secrets"} 1"#) && podsCurrent()) && ContinuousClock.now < deadline
        #expect(text.contains(#"telegen_kube_stale{resource="secrets"} 1"#), "\(text)")
        #expect(text.contains(#"telegen_kube_stale{resource="pods"} 0"#))
        #expect(text.contains(#"telegen_kube_watch_connected{resource="secrets"} 0"#))
        #expect(text.contains(#"telegen_kube_failing{resource="secrets"} 1"#))
        let silent = text.split(separator: "\n").first { $0.hasPrefix(#"telegen_kube_silent_seconds{resource="secrets"} "#) }
        #expect((silent?.split(separator: " ").last).flatMap { Double($0) } ?? 0 > 4, "\(silent ?? "no series")")
        // Pods: watched (each watch ends after 1-2 s and resumes), bookmarks every 0.3 s.
        let pods = try #require(source.statistics.first { $0.resource == "pods" })
        #expect(pods.reflectors.allSatisfy { !$0.stale && $0.silentFor < .seconds(4) }, "\(pods)")
        #expect(text.contains(#"telegen_kube_dead_watches_total{resource="pods"} 0"#))
    }
}
