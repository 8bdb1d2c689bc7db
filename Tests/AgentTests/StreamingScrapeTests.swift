@testable import Agent
import Foundation
import Testing
import TestSupport

/// Scrapes of a big kube-state exposition, streamed from the stores in chunks:
/// byte for byte what rendering it in one buffer gives (plain and gzipped), without
/// holding the store's lock against the watch, and without the agent buffering what
/// a slow scraper has not read yet.
@Suite(.serialized)
struct StreamingScrapeTests {
    /// A fake API server with `pods` synthetic pods, and an agent config reading them.
    static func cluster(pods: Int) throws -> (FakeAPIServer, AgentConfig) {
        var options = FakeAPIServer.Options(syntheticPods: pods, nodes: 50)
        options.bookmarkInterval = 0
        let server = try FakeAPIServer(options)
        var config = AgentConfig()
        config.kubernetes.kubeconfig = try server.writeKubeconfig()
        config.kubeMetrics.node.enabled = false
        config.kubeMetrics.cadvisor.enabled = false
        config.kubeMetrics.kubeState.resources = ["pods"]
        config.kubeMetrics.kubeState.nodeLocalPods = .false
        return (server, config)
    }

    static func waitUntilReady(_ url: String) async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while (try? HTTP.get(url + "/readyz").status) != 200 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    @Test func aStreamedScrapeIsTheOneBufferRenderingByteForByte() async throws {
        let (server, config) = try Self.cluster(pods: 2_000)
        defer { server.stop() }
        let live = try await LiveAgent(config: config)
        defer { Task { try? await live.stop() } }
        try await Self.waitUntilReady(live.baseURL)

        let scratch = try TemporaryDirectory()
        for (accept, name) in [(nil, "text"), ("application/openmetrics-text;version=1.0.0", "openmetrics")] as [(String?, String)] {
            let expected = live.agent.endpoints.respond(path: "/metrics/kubestate", accept: accept).body
            #expect(expected.count > 4 * MetricsHTTPHandler.chunkSize, "big enough to take several chunks")
            for gzip in [false, true] {
                let file = scratch.url.appendingPathComponent("\(name)-\(gzip)").path
                var arguments = ["-s", "-o", file, "-w", "%{http_code} %{header_json}"]
                if gzip { arguments.append("--compressed") }
                if let accept { arguments += ["-H", "Accept: \(accept)"] }
                let result = try Command.run("/usr/bin/curl", arguments + [live.baseURL + "/metrics/kubestate"])
                #expect(result.stdout.hasPrefix("200"))
                #expect(result.stdout.contains("gzip") == gzip, "content-encoding")
                let streamed = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
                #expect(streamed.count == expected.count, "\(name), gzip \(gzip)")
                #expect(streamed == expected, "\(name), gzip \(gzip)")
            }
        }
    }

    @Test func aSlowScrapeNeitherHoldsOffTheWatchNorIsBufferedByTheAgent() async throws {
        let (server, baseConfig) = try Self.cluster(pods: 4_000)
        defer { server.stop() }
        var config = baseConfig
        let port = try LocalPort.free()
        config.kubeMetrics.listenAddress = ListenAddress(host: "127.0.0.1", port: port)
        let scratch = try TemporaryDirectory()
        let configFile = try scratch.write("telegen.yaml", """
            kubernetes: {kubeconfig: \(config.kubernetes.kubeconfig)}
            kube_metrics:
              listen_address: "127.0.0.1:\(port)"
              kube_state: {resources: [pods], node_local_pods: "false"}
              cadvisor: {enabled: false}
              node: {enabled: false}
            """)
        let agent = Process()
        agent.executableURL = URL(fileURLWithPath: try Repository.telegenBinary())
        agent.arguments = ["--config", configFile, "--log-level", "warn"]
        agent.standardOutput = FileHandle.nullDevice
        agent.standardError = FileHandle.nullDevice
        try agent.run()
        defer { agent.terminate(); agent.waitUntilExit() }
        let base = "http://127.0.0.1:\(port)"
        try await Self.waitUntilReady(base)
        func rss() throws -> Int {
            let status = try String(contentsOfFile: "/proc/\(agent.processIdentifier)/status", encoding: .utf8)
            let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
            return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
        }
        func watchEvents() throws -> Int {
            let text = try HTTP.get(base + "/metrics/self").body
            let line = text.split(separator: "\n").first { $0.hasPrefix(#"telegen_kube_watch_events_total{resource="pods"}"#) } ?? ""
            return Int(line.split(separator: " ").last ?? "0") ?? 0
        }
        let size = try HTTP.get(base + "/metrics/kubestate").body.utf8.count
        #expect(size > 24 << 20, "the exposition (\(size) bytes) dwarfs what the agent may hold for one scraper")
        try await Task.sleep(for: .seconds(1))
        let before = try rss()

        // A scraper reading at 1 MB/s: the scrape takes over 20 s.
        let slow = Process()
        slow.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        slow.arguments = ["-s", "-o", "/dev/null", "--limit-rate", "1M", base + "/metrics/kubestate"]
        try slow.run()
        defer { if slow.isRunning { slow.terminate() } }
        try await Task.sleep(for: .seconds(3))

        // A watch event during the scrape is applied at once, not after it.
        let events = try watchEvents()
        let started = ContinuousClock.now
        try server.upsert(resource: "pods", object: [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": ["name": "during-the-scrape", "namespace": "default", "uid": "0b3d6c1e-0000-4000-8000-00000000abcd",
                         "creationTimestamp": "2024-05-01T10:00:00Z"],
            "spec": ["nodeName": "node-1", "containers": [["name": "app", "image": "app:1"]]], "status": ["phase": "Running"],
        ])
        while try watchEvents() == events && ContinuousClock.now - started < .seconds(10) {
            try await Task.sleep(for: .milliseconds(20))
        }
        let applied = ContinuousClock.now - started
        #expect(applied < .seconds(2), "the watch update waited \(applied) behind the scrape")
        #expect(slow.isRunning, "the scrape should still be going")

        // Memory: the agent holds a chunk or two for the slow scraper, not the exposition.
        var peak = before
        for _ in 0..<20 where slow.isRunning {
            peak = max(peak, try rss())
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(peak - before < 12 << 20, "RSS grew by \(peak - before) bytes while a scraper read \(size) bytes slowly")
    }
}
