@testable import Agent
import Foundation
import Testing
import TestSupport

/// `promtool check metrics` on every endpoint in both formats. promtool also lints
/// names; node_exporter's own `node_memory_*` names are camelCase, which promtool
/// flags. A lint complaint is accepted only when promtool makes the same complaint
/// about node_exporter's output for the same family.
@Suite(.serialized)
struct PromtoolTests {
    @Test func everyEndpointPassesInBothFormats() async throws {
        let promtool = try Command.which("promtool", installHint: "apt-get install prometheus (scripts/test does)")
        let nodeExporter = try NodeExporter()
        defer { nodeExporter.stop() }
        let theirLint = Set(try Command.run(promtool, ["check", "metrics"], input: Array(try nodeExporter.scrape().utf8))
            .combinedOutput.split(separator: "\n").map(String.init))

        let live = try await LiveAgent()
        defer { Task { try? await live.stop() } }
        for path in ["/metrics", "/metrics/node", "/metrics/self"] {
            for accept in [nil, "application/openmetrics-text;version=1.0.0"] {
                let response = try HTTP.get(live.baseURL + path, headers: accept.map { ["Accept": $0] } ?? [:])
                #expect(response.status == 200)
                let checked = try Command.run(promtool, ["check", "metrics"], input: Array(response.body.utf8))
                let problems = checked.combinedOutput.split(separator: "\n").map(String.init)
                #expect(checked.status == 0 || checked.status == 3, "\(path) \(accept ?? "text"): \(problems)")
                let known = theirLint.union(CAdvisorPromtoolTests.knownLint(openMetrics: accept != nil))
                for problem in problems where !known.contains(problem) {
                    Issue.record("\(path) (\(accept ?? "text")): promtool: \(problem)")
                }
            }
        }
    }

    /// A Prometheus server scrapes Telegen (it negotiates OpenMetrics) and stores every sample.
    @Test func prometheusScrapesEverySample() async throws {
        let prometheus = try Command.which("prometheus", installHint: "apt-get install prometheus (scripts/test does)")
        let live = try await LiveAgent()
        defer { Task { try? await live.stop() } }
        let scratch = try TemporaryDirectory("prometheus")
        let target = live.baseURL.replacingOccurrences(of: "http://", with: "")
        let configPath = try scratch.write("prometheus.yml", """
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: telegen
                metrics_path: /metrics/node
                static_configs: [{targets: ["\(target)"]}]
              - job_name: cadvisor
                metrics_path: /metrics/cadvisor
                static_configs: [{targets: ["\(target)"]}]

            """)
        let port = try LocalPort.free()
        let server = try BackgroundProcess(prometheus, [
            "--config.file=\(configPath)", "--storage.tsdb.path=\(scratch.path)/data",
            "--web.listen-address=127.0.0.1:\(port)",
        ], logFile: scratch.url.appendingPathComponent("prometheus.log"))
        defer { server.stop() }
        let api = "http://127.0.0.1:\(port)/api/v1/query?query="

        // (job, endpoint, a PromQL name regex matching exactly that endpoint's families)
        for (job, path, names) in [("telegen", "/metrics/node", "node_.%2B"), ("cadvisor", "/metrics/cadvisor", "(container%7Cmachine)_.%2B")] {
            let exposed = try HTTP.get(live.baseURL + path).body
                .split(separator: "\n").filter { !$0.hasPrefix("#") }.count
            var up = "", scraped = ""
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline {
                up = (try? HTTP.get(api + "up%7Bjob%3D%22\(job)%22%7D").body) ?? ""
                scraped = (try? HTTP.get(api + "scrape_samples_scraped%7Bjob%3D%22\(job)%22%7D").body) ?? ""
                if up.contains("\"1\"]") && scraped.contains("\"value\"") { break }
                try await Task.sleep(for: .milliseconds(500))
            }
            #expect(up.contains("\"value\":[") && up.contains(",\"1\"]"), "\(job) up: \(up)\n\(server.output.suffix(2000))")
            #expect(scraped.contains(",\"\(exposed)\"]"), "\(job): Prometheus stored \(scraped), Telegen exposed \(exposed) samples")
            let stored = try HTTP.get(api + "count(%7B__name__%3D~%22\(names)%22,job%3D%22\(job)%22%7D)").body
            #expect(stored.contains(",\"\(exposed)\"]"), "\(job) series stored: \(stored)")
        }
    }
}

/// `/metrics/cadvisor` for a node with a running pod (a fixture tree with cgroup v2,
/// PSI, a sandbox and an app container) passes promtool in both formats. cAdvisor's
/// `container_memory_failcnt` is a counter without `_total`, which promtool's linter
/// flags in the text format; that name is what dashboards query, so it stays.
struct CAdvisorPromtoolTests {
    /// promtool reads OpenMetrics with its text parser, so there the `_total` sample of
    /// a counter family named without it looks like another, help-less family. The
    /// real OpenMetrics parser takes it (`prometheusScrapesEverySample` shows).
    static func knownLint(openMetrics: Bool) -> Set<String> {
        openMetrics ? ["container_memory_failcnt_total no help text"]
            : ["container_memory_failcnt counter metrics should have \"_total\" suffix"]
    }

    @Test func cadvisorEndpointPassesInBothFormats() async throws {
        let promtool = try Command.which("promtool", installHint: "apt-get install prometheus (scripts/test does)")
        let (host, config) = try AgentCAdvisorNode.make()
        let pod = AgentCAdvisorNode.pod, sandbox = AgentCAdvisorNode.sandbox
        let live = try await LiveAgent(config: config)
        defer { Task { try? await live.stop() } }

        for accept in [nil, "application/openmetrics-text;version=1.0.0"] {
            let response = try HTTP.get(live.baseURL + "/metrics/cadvisor", headers: accept.map { ["Accept": $0] } ?? [:])
            #expect(response.status == 200)
            #expect(response.body.contains("container_pressure_io_stalled_seconds_total{"))
            #expect(response.body.contains("container_network_receive_bytes_total{container=\"\",id=\"\(pod)/cri-containerd-\(sandbox).scope\""))
            let checked = try Command.run(promtool, ["check", "metrics"], input: Array(response.body.utf8))
            let problems = checked.combinedOutput.split(separator: "\n").map(String.init)
            let expected = Self.knownLint(openMetrics: accept != nil)
            #expect(Set(problems) == expected, "\(accept ?? "text")")
            #expect(checked.status == 3)  // lint findings only; 1 would be a parse error
        }
        // The same families are in the combined endpoint.
        #expect(try HTTP.get(live.baseURL + "/metrics").body.contains("machine_cpu_cores{"))
    }
}
