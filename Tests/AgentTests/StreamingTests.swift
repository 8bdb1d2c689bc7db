@testable import Agent
import Foundation
import TelemetryModel
import Testing
import TestSupport

/// The OTLP push as users run it: the telegen binary against the grpcio receiver.
@Suite(.serialized)
struct StreamingTests {
    private func telegen(_ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 60) throws -> CommandResult {
        var full = ProcessInfo.processInfo.environment
        full.merge(environment) { _, new in new }
        return try Command.run(try Repository.telegenBinary(), arguments, environment: full, timeout: timeout)
    }

    private func metrics(_ records: [[String: Any]]) -> [[String: Any]] {
        records.flatMap { record -> [[String: Any]] in
            let resourceMetrics = ((record["request"] as? [String: Any])?["resource_metrics"] as? [[String: Any]]) ?? []
            return resourceMetrics.flatMap { ($0["scope_metrics"] as? [[String: Any]]) ?? [] }
        }
    }

    @Test func oncePushesNodeMetricsWithResourceScopeAndMetadata() async throws {
        let receiver = try OTLPReceiver()
        let scratch = try TemporaryDirectory()
        let config = try scratch.write("telegen.yaml", """
            kubernetes:
              cluster_name: test-cluster
            kube_metrics:
              listen_address: "127.0.0.1:0"
              streaming:
                enabled: true
                endpoint: http://127.0.0.1:\(receiver.port)
                headers: {x-scope-orgid: tenant-1}

            """)
        let result = try telegen(["--config", config, "--once", "--node-name", "node-a"],
                                 environment: ["OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=ci,team=obs"])
        #expect(result.status == 0, "\(result.stderr)")
        let records = try await receiver.waitForRequests(1)
        #expect((records.first?["metadata"] as? [String: String])?["x-scope-orgid"] == "tenant-1")
        let request = try #require(records.first?["request"] as? [String: Any])
        let resource = try #require(((request["resource_metrics"] as? [[String: Any]])?.first?["resource"] as? [String: Any])?["attributes"] as? [[String: Any]])
        var attributes: [String: String] = [:]
        for entry in resource { attributes[entry["key"] as! String] = (entry["value"] as? [String: Any])?["string_value"] as? String }
        #expect(attributes["service.name"] == "telegen")
        #expect(attributes["k8s.node.name"] == "node-a")
        #expect(attributes["host.name"] == "node-a")
        #expect(attributes["k8s.cluster.name"] == "test-cluster")
        #expect(attributes["deployment.environment"] == "ci")
        #expect(attributes["service.version"] != nil && attributes["service.instance.id"] != nil)

        let scopes = metrics(records)
        let names = scopes.map { ($0["scope"] as? [String: Any])?["name"] as? String }
        #expect(names.contains("telegen.node") && names.contains("telegen.self"))
        let node = try #require(scopes.first { ($0["scope"] as? [String: Any])?["name"] as? String == "telegen.node" })
        let cpu = try #require((node["metrics"] as? [[String: Any]])?.first { $0["name"] as? String == "node_cpu_seconds_total" })
        let sum = try #require(cpu["sum"] as? [String: Any])
        #expect(sum["is_monotonic"] as? Bool == true)
        let bootTime = try ProcStatBootTime.read()
        let point = try #require((sum["data_points"] as? [[String: Any]])?.first)
        #expect(point["start_time_unix_nano"] as? String == "\(bootTime * 1_000_000_000)")
        let metadata = (cpu["metadata"] as? [[String: Any]])?.map { $0["key"] as? String }
        #expect(metadata == ["telegen.signal.category", "telegen.signal.subcategory", "telegen.source.module", "telegen.collector.type"])
        let load = try #require((node["metrics"] as? [[String: Any]])?.first { $0["name"] as? String == "node_load1" })
        #expect(load["gauge"] != nil)
    }

    @Test func oncePushesOverOTLPHTTPWhenTheFileOrTheEnvironmentAsks() async throws {
        let receiver = try OTLPHTTPReceiver(script: [["status": 503, "retry_after": "1"]])
        let scratch = try TemporaryDirectory()
        let fromFile = try scratch.write("telegen.yaml", """
            kube_metrics:
              listen_address: "127.0.0.1:0"
              streaming:
                enabled: true
                endpoint: http://127.0.0.1:\(receiver.port)
                protocol: http/protobuf
                headers: {x-scope-orgid: tenant-1}
                retry: {initial_interval: 100ms}

            """)
        let result = try telegen(["--config", fromFile, "--once", "--node-name", "node-a"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("protocol=http/protobuf"), "\(result.stderr)")
        let records = try await receiver.waitForRequests(2)
        // Refused once (503, Retry-After: 1), then delivered.
        #expect(records.map { $0["answered"] as? Int } == [503, 200])
        #expect(records.allSatisfy { $0["path"] as? String == "/v1/metrics" })
        let headers = try #require(records.last?["headers"] as? [String: String])
        #expect(headers["content-type"] == "application/x-protobuf" && headers["content-encoding"] == "gzip")
        #expect(headers["x-scope-orgid"] == "tenant-1" && headers["user-agent"]?.hasPrefix("telegen/") == true)
        let names = metrics(Array(records.suffix(1))).map { ($0["scope"] as? [String: Any])?["name"] as? String }
        #expect(names.contains("telegen.node") && names.contains("telegen.self"))

        // Only the environment: the generic endpoint is a base URL, /v1/metrics appended.
        let bare = try scratch.write("bare.yaml", "kube_metrics:\n  listen_address: \"127.0.0.1:0\"\n  streaming:\n    enabled: true\n")
        let fromEnvironment = try telegen(["--config", bare, "--once"], environment: [
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(receiver.port)/otlp/",
        ])
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.stderr)")
        let all = try await receiver.waitForRequests(3)
        #expect(all.last?["path"] as? String == "/otlp/v1/metrics")
        #expect(all.last?["answered"] as? Int == 200)
    }

    @Test func httpJSONIsAConfigurationError() throws {
        let scratch = try TemporaryDirectory()
        let config = try scratch.write("telegen.yaml", "kube_metrics:\n  streaming:\n    enabled: true\n    endpoint: http://c:4318\n    protocol: http/json\n")
        let result = try telegen(["--config", config, "--check-config"])
        #expect(result.status == 2)
        #expect(result.stderr == "\(config):5:15: kube_metrics.streaming.protocol: \"http/json\" is not supported: Telegen sends OTLP as binary protobuf (use \"http/protobuf\" or \"grpc\")\n")
    }

    @Test func onceFailsWhenNothingCanBeDelivered() throws {
        let scratch = try TemporaryDirectory()
        let port = try LocalPort.free()
        let config = try scratch.write("telegen.yaml", """
            kube_metrics:
              streaming:
                enabled: true
                endpoint: http://127.0.0.1:\(port)
                timeout: 2s
                retry: {initial_interval: 200ms, max_elapsed_time: 1s}

            """)
        let started = Date()
        let result = try telegen(["--config", config, "--once"])
        #expect(result.status == 1)
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(result.stderr.contains("msg=\"push failed\""), "\(result.stderr)")
        // The exposition is still printed: the pull path does not depend on the push.
        #expect(result.stdout.contains("# TYPE node_load1 gauge"))
    }

    @Test func sigtermFlushesTheLastCollection() async throws {
        let receiver = try OTLPReceiver()
        let scratch = try TemporaryDirectory()
        let port = try LocalPort.free()
        let config = try scratch.write("telegen.yaml", """
            kube_metrics:
              listen_address: "127.0.0.1:\(port)"
              streaming:
                enabled: true
                endpoint: http://127.0.0.1:\(receiver.port)
                interval: 1h

            """)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Repository.telegenBinary())
        process.arguments = ["--config", config]
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        try LocalPort.waitUntilServing("http://127.0.0.1:\(port)/readyz")
        #expect(try receiver.received().isEmpty)  // the interval is an hour: nothing pushed yet
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let records = try await receiver.waitForRequests(1, timeout: .seconds(5))
        #expect(metrics(records).contains { ($0["scope"] as? [String: Any])?["name"] as? String == "telegen.node" })
    }

    @Test func selfMetricsCountWhatTheExporterDid() async throws {
        let receiver = try OTLPReceiver(script: [["status": "UNAVAILABLE"]])
        let scratch = try TemporaryDirectory()
        let port = try LocalPort.free()
        let config = try scratch.write("telegen.yaml", """
            kube_metrics:
              listen_address: "127.0.0.1:\(port)"
              node: {collect_interval: 1s}
              streaming:
                enabled: true
                endpoint: http://127.0.0.1:\(receiver.port)
                interval: 1s
                retry: {initial_interval: 100ms}

            """)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Repository.telegenBinary())
        process.arguments = ["--config", config]
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        defer { process.terminate(); process.waitUntilExit() }
        _ = try await receiver.waitForRequests(3, timeout: .seconds(20))
        try await Task.sleep(for: .seconds(1))
        let text = try HTTP.get("http://127.0.0.1:\(port)/metrics/self").body
        #expect(text.contains("telegen_exporter_retries_total{signal=\"metrics\"} 1\n"), "\(text)")
        #expect(text.contains("telegen_exporter_requests_total{signal=\"metrics\",status=\"UNAVAILABLE\"} 1\n"))
        #expect(text.contains("telegen_exporter_sent_points_total{signal=\"metrics\"} "))
        #expect(!text.contains("telegen_exporter_sent_points_total{signal=\"metrics\"} 0\n"))
        #expect(text.contains("telegen_exporter_queue_bytes "))
    }

    @Test func streamingWithoutAnEndpointIsAConfigurationError() throws {
        let scratch = try TemporaryDirectory()
        let config = try scratch.write("telegen.yaml", "kube_metrics:\n  streaming:\n    enabled: true\n")
        let result = try telegen(["--config", config, "--check-config"], environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": ""])
        #expect(result.status == 2)
        #expect(result.stderr == "\(config):3:14: kube_metrics.streaming.endpoint: required when streaming is enabled (or set OTEL_EXPORTER_OTLP_ENDPOINT)\n")
        // The environment can supply it.
        let fromEnvironment = try telegen(["--config", config, "--check-config"], environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317"])
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.stderr)")
    }
}

struct CounterDeltasTests {
    private func push(_ deltas: inout CounterDeltas, _ value: Double, start: UInt64 = 100, at time: UInt64,
                      gauge: Double = 7) -> [MetricFamily] {
        deltas.beginPush()
        var sink = DeltaSink(inner: CollectingSink(), deltas: deltas)
        sink.time = time
        var stream = MetricFamiliesStream([
            MetricFamily(name: "c_total", help: "h", type: .counter,
                         series: [Series(labels: LabelSet(names: ["k"], values: ["v"]), value: value, startTimeUnixNano: start)]),
            MetricFamily(name: "g", help: "h", type: .gauge, series: [Series(value: gauge)]),
        ])
        stream.render(into: &sink)
        sink.deltas.endPush()
        deltas = sink.deltas
        return sink.inner.families
    }

    @Test func countersBecomeIncreasesSinceTheLastPush() {
        var deltas = CounterDeltas()
        let first = push(&deltas, 10, at: 1_000)
        #expect(first[0].series.isEmpty)            // a baseline only
        #expect(first[1].series.first?.value == 7)  // gauges pass through
        let second = push(&deltas, 15.5, at: 2_000)
        #expect(second[0].series.first?.value == 5.5)
        #expect(second[0].series.first?.startTimeUnixNano == 1_000)
        // A reset: the counter restarted, its whole value is new since its own start.
        let reset = push(&deltas, 3, start: 1_500, at: 3_000)
        #expect(reset[0].series.first?.value == 3)
        #expect(reset[0].series.first?.startTimeUnixNano == 1_500)
    }

    @Test func seriesThatDisappearAreForgotten() {
        var deltas = CounterDeltas()
        _ = push(&deltas, 10, at: 1_000)
        #expect(deltas.count == 1)
        deltas.beginPush()
        deltas.endPush()  // a push without the series
        #expect(deltas.count == 0)
        #expect(push(&deltas, 12, at: 3_000)[0].series.isEmpty)  // a new baseline, not a delta from 10
    }
}

/// The boot time the node collector reports, read independently from /proc/stat.
enum ProcStatBootTime {
    static func read() throws -> UInt64 {
        let text = try String(contentsOfFile: "/proc/stat", encoding: .utf8)
        let line = text.split(separator: "\n").first { $0.hasPrefix("btime ") }!
        return UInt64(line.split(separator: " ")[1])!
    }
}
