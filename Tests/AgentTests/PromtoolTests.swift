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
                for problem in problems where !theirLint.contains(problem) {
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

            """)
        let port = try LocalPort.free()
        let server = try BackgroundProcess(prometheus, [
            "--config.file=\(configPath)", "--storage.tsdb.path=\(scratch.path)/data",
            "--web.listen-address=127.0.0.1:\(port)",
        ], logFile: scratch.url.appendingPathComponent("prometheus.log"))
        defer { server.stop() }
        let api = "http://127.0.0.1:\(port)/api/v1/query?query="

        let exposed = try HTTP.get(live.baseURL + "/metrics/node").body
            .split(separator: "\n").filter { !$0.hasPrefix("#") }.count
        var up = "", scraped = ""
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            up = (try? HTTP.get(api + "up").body) ?? ""
            scraped = (try? HTTP.get(api + "scrape_samples_scraped").body) ?? ""
            if up.contains("\"1\"]") && scraped.contains("\"value\"") { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(up.contains("\"value\":[") && up.contains(",\"1\"]"), "up: \(up)\n\(server.output.suffix(2000))")
        #expect(scraped.contains(",\"\(exposed)\"]"), "Prometheus stored \(scraped), Telegen exposed \(exposed) samples")
        let stored = try HTTP.get(api + "count(%7B__name__%3D~%22node_.%2B%22%7D)").body
        #expect(stored.contains(",\"\(exposed)\"]"), "series stored: \(stored)")
    }
}
