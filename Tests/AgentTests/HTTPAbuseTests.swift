@testable import Agent
import Foundation
import Testing
import TestSupport

/// The HTTP endpoint under abuse: the real `telegen` binary, serving a kube-state
/// exposition of 2 000 synthetic pods (about 15 MB of text), against the misbehaving
/// clients of Tests/Python/http_abuse.py. The agent runs as its own process so that
/// its timing is not the test process's, whose cooperative pool other suites starve.
@Suite(.serialized)
struct HTTPAbuseTests {
    @Test func twoHundredSlowScrapersNeitherDelayHealthChecksNorGrowMemoryWithoutBound() async throws {
        let agent = try await AbusedAgent()
        defer { agent.stop() }
        // 100 clients that never read, 100 reading 300 bytes a second; half of each ask for gzip.
        let result = try await agent.abuse("slow-clients", ["--pid", String(agent.pid), "--clients", "200", "--stalled", "100",
                                                            "--gzip", "100", "--rate", "300", "--duration", "20"])
        #expect(result["connected"] as? Int == 200, "\(result)")
        #expect(result["answered"] as? Int == 100, "every reading client got its 200: \(result)")
        #expect((result["errors"] as? [Any])?.isEmpty == true, "\(result)")
        let failures = result["probe_failures"] as? [Any] ?? []
        #expect(failures.isEmpty, "/healthz failed: \(failures)")
        #expect((result["probes"] as? Int ?? 0) >= 40, "\(result)")
        let slowest = result["max_probe_seconds"] as? Double ?? .infinity
        #expect(slowest < 1.0, "/healthz took \(slowest) s with 200 slow scrapers connected")
        // Measured: 60-95 MiB with the limits (debug build), 112-145 MiB without (each
        // response then held a 256 KiB chunk, its writer's 272 KiB and a zlib stream).
        let growth = (result["peak_rss"] as? Int ?? .max) - (result["baseline_rss"] as? Int ?? 0)
        #expect(growth < 112 << 20, "RSS grew by \(growth >> 20) MiB for 200 slow scrapers of a 15 MB exposition")
        #expect(try agent.selfMetric("telegen_http_connections_rejected_total") == 0)
    }

    @Test func aSlowlorisClientIsClosedAtTheHeaderDeadline() async throws {
        let agent = try await AbusedAgent(pods: 0, server: "read_header_timeout: 2s")
        defer { agent.stop() }
        // One byte every half second: the connection never goes idle, the request never completes.
        let result = try await agent.abuse("slowloris", ["--interval", "0.5", "--limit", "15"])
        let closedAfter = result["closed_after"] as? Double
        #expect(closedAfter != nil, "still open after 15 s: \(result)")
        if let closedAfter { #expect(closedAfter >= 1.9 && closedAfter < 5, "closed after \(closedAfter) s") }
        #expect(try agent.selfMetric(#"telegen_http_connections_timed_out_total{timeout="read_header"}"#) == 1)
        // A client that is quick enough is served as ever.
        #expect(try HTTP.get(agent.url("/healthz")).body == "ok\n")
    }

    @Test func idleConnectionsAndStalledResponsesAreClosedAtTheIdleTimeout() async throws {
        let agent = try await AbusedAgent(server: "idle_timeout: 2s")
        defer { agent.stop() }
        let keptAlive = try await agent.abuse("idle", ["--keep-alive", "--limit", "15"])
        #expect(keptAlive["status"] as? Int == 200, "\(keptAlive)")
        let idleAfter = keptAlive["closed_after"] as? Double
        #expect(idleAfter != nil, "an idle keep-alive connection still open after 15 s")
        if let idleAfter { #expect(idleAfter >= 1.9 && idleAfter < 5, "closed after \(idleAfter) s") }

        // Asks for the whole exposition and never reads: reset once the socket buffers are full and 2 s pass.
        let stalled = try await agent.abuse("idle", ["--path", "/metrics", "--limit", "20"])
        let stalledAfter = stalled["closed_after"] as? Double
        #expect(stalledAfter != nil, "a client that never reads still connected after 20 s")
        if let stalledAfter { #expect(stalledAfter >= 1.9 && stalledAfter < 8, "reset after \(stalledAfter) s") }
        #expect(try agent.selfMetric(#"telegen_http_connections_timed_out_total{timeout="idle"}"#) == 2)
    }

    @Test func connectionsOverTheCapAreClosedAndCountedWhileOpenOnesAreServed() async throws {
        let agent = try await AbusedAgent(pods: 0, server: "max_connections: 4")
        defer { agent.stop() }
        let result = try await agent.abuse("cap", ["--hold", "4", "--extra", "3"])
        #expect(result["held_first"] as? [Int] == [200, 200, 200, 200], "\(result)")
        let extra = result["extra"] as? [[String: Any]] ?? []
        #expect(extra.count == 3)
        for connection in extra {
            #expect(connection["closed"] as? Bool == true, "a connection over the cap was served: \(connection)")
            #expect((connection["seconds"] as? Double ?? .infinity) < 1, "closed only after \(connection)")
        }
        #expect(result["held_later"] as? [Int] == [200, 200, 200, 200], "\(result)")
        let selfMetrics = result["self_metrics"] as? String ?? ""
        #expect(selfMetrics.contains("\ntelegen_http_connections_rejected_total 3\n"), "\(selfMetrics)")
        #expect(selfMetrics.contains("\ntelegen_http_connections 4\n"), "\(selfMetrics)")
    }

    @Test func oversizedRequestsAreRefusedAndCounted() async throws {
        let agent = try await AbusedAgent(pods: 0, server: "max_header_bytes: 16KiB")
        defer { agent.stop() }
        let result = try await agent.abuse("oversize", ["--header-bytes", "100000", "--uri-bytes", "1000000"])
        for (name, status) in [("header", 431), ("request_line", 431), ("body", 413)] {
            let answer = result[name] as? [String: Any] ?? [:]
            #expect(answer["status"] as? Int == status, "\(name): \(answer)")
            #expect(answer["closed"] as? Bool == true, "\(name): \(answer)")
        }
        #expect(try agent.selfMetric(#"telegen_http_requests_rejected_total{reason="header_too_large"}"#) == 2)
        #expect(try agent.selfMetric(#"telegen_http_requests_rejected_total{reason="body"}"#) == 1)
        // A header just under the limit is fine.
        let fits = try HTTP.get(agent.url("/healthz"), headers: ["X-Filler": String(repeating: "a", count: 15_000)])
        #expect(fits.status == 200)
    }

    @Test func serverSettingsAreReadAndChecked() throws {
        let yaml = """
            kube_metrics:
              server: {max_connections: 32, idle_timeout: 30s, read_header_timeout: 3s, max_header_bytes: 8KiB}
            """
        let config = try ConfigLoader.parse(Array(yaml.utf8), file: "telegen.yaml").get().config
        #expect(config.kubeMetrics.server == HTTPServerConfig(maxConnections: 32, idleTimeout: .seconds(30),
                                                              readHeaderTimeout: .seconds(3), maxHeaderBytes: 8 << 10))
        #expect(AgentConfig().kubeMetrics.server == HTTPServerConfig(maxConnections: 256, idleTimeout: .seconds(120),
                                                                     readHeaderTimeout: .seconds(10), maxHeaderBytes: 64 << 10))
        // docs/configuration.md's `server` block, copied into a file as it stands, means the defaults.
        let doc = try String(contentsOf: Repository.root.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        var block: [Substring] = []
        for line in doc.split(separator: "\n", omittingEmptySubsequences: false) {
            if block.isEmpty {
                if line.hasPrefix("  server:") { block.append(line) }
            } else if line.hasPrefix("    ") {
                block.append(line)
            } else {
                break
            }
        }
        try #require(block.count == 5, "the server block of docs/configuration.md")
        let documented = try ConfigLoader.parse(Array(("kube_metrics:\n" + block.joined(separator: "\n") + "\n").utf8), file: "doc").get()
        #expect(documented.config.kubeMetrics.server == HTTPServerConfig())
        let bad = """
            kube_metrics:
              server: {max_connections: 0, idle_timeout: 0s, max_header_bytes: 2MiB, max_conections: 3}
            """
        guard case .failure(let errors) = ConfigLoader.parse(Array(bad.utf8), file: "telegen.yaml") else {
            Issue.record("invalid server settings accepted")
            return
        }
        let text = errors.diagnostics.map(\.description).joined(separator: "\n")
        for expected in ["kube_metrics.server.max_connections: 0 is out of range 1...65536",
                         "kube_metrics.server.idle_timeout: duration must be greater than zero",
                         "kube_metrics.server.max_header_bytes: 2097152 bytes is outside 1KiB...1MiB",
                         "max_conections"] {
            #expect(text.contains(expected), "\(text)")
        }
    }
}

/// A `telegen` process with kube-state on `pods` synthetic pods of a fake API server
/// (node and container collectors off, so the exposition is the same on every
/// machine), `server` added under `kube_metrics.server`.
///
/// `@unchecked Sendable`: every property is set once in init; `Process` is only
/// queried and terminated afterwards, which it allows from any thread.
final class AbusedAgent: @unchecked Sendable {
    let port: Int
    let pid: Int32
    private let apiServer: FakeAPIServer
    private let process: Process
    private let scratch: TemporaryDirectory

    init(pods: Int = 2_000, server: String = "") async throws {
        var options = FakeAPIServer.Options(syntheticPods: pods, nodes: 50)
        options.bookmarkInterval = 0
        apiServer = try FakeAPIServer(options)
        scratch = try TemporaryDirectory("abuse")
        port = try LocalPort.free()
        let config = try scratch.write("telegen.yaml", """
            kubernetes: {kubeconfig: \(try apiServer.writeKubeconfig())}
            kube_metrics:
              listen_address: "127.0.0.1:\(port)"
              server: {\(server)}
              kube_state: {resources: [pods], node_local_pods: "false"}
              cadvisor: {enabled: false}
              node: {enabled: false}
            """)
        let log = scratch.url.appendingPathComponent("agent.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: try Repository.telegenBinary())
        process.arguments = ["--config", config, "--log-level", "warn"]
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = process.standardOutput
        try process.run()
        pid = process.processIdentifier
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while (try? HTTP.get(url("/readyz")).status) != 200 {
            guard ContinuousClock.now < deadline, process.isRunning else {
                throw CommandError.timedOut("telegen did not become ready: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Runs Tests/Python/http_abuse.py in `mode` against the agent and returns its JSON
    /// report; waits by suspending, not by blocking a cooperative thread.
    func abuse(_ mode: String, _ arguments: [String]) async throws -> [String: Any] {
        let output = scratch.url.appendingPathComponent("\(mode)-\(UUID().uuidString).json")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let script = Repository.root.appendingPathComponent("Tests/Python/http_abuse.py").path
        let client = try BackgroundProcess(try Repository.python(), [script, mode, "--port", String(port)] + arguments,
                                           logFile: output)
        let deadline = ContinuousClock.now.advanced(by: .seconds(120))
        while client.isRunning && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        client.stop()
        let text = client.output
        guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
              let report = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw CommandError.missing("http_abuse.py \(mode) reported nothing: \(text)")
        }
        return report
    }

    /// The value of one self-metric series, named with its labels as exposed.
    func selfMetric(_ series: String) throws -> Double? {
        let text = try HTTP.get(url("/metrics/self")).body
        let line = text.split(separator: "\n").first { $0.hasPrefix(series + " ") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        apiServer.stop()
    }
}
