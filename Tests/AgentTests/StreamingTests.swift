@testable import Agent
import Foundation
import HTTP2Transport
import Logging
import OTLPWire
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

    /// A rename or unlink is durable only once its directory is synced: the queue
    /// directory is fsynced after each batch file is put in place and after each is
    /// removed, or a crash can bring back a delivered batch or lose a queued one.
    @Test func theQueueDirectoryIsSyncedAfterRenameAndUnlink() async throws {
        let strace = try Command.which("strace", installHint: "run scripts/install-deps --test")
        let scratch = try TemporaryDirectory()
        let queue = scratch.path + "/queue"
        let port = try LocalPort.free(), deadPort = try LocalPort.free()
        let config = try scratch.write("telegen.yaml", """
            kube_metrics:
              listen_address: "127.0.0.1:\(port)"
              node: {collect_interval: 1s}
              streaming:
                enabled: true
                endpoint: http://127.0.0.1:\(deadPort)
                interval: 1s
                retry: {initial_interval: 50ms, max_elapsed_time: 200ms}
                queue: {directory: \(queue)}

            """)
        let trace = scratch.path + "/strace.txt"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: strace)
        process.arguments = ["-f", "-y", "-qq", "-o", trace, "-e", "trace=rename,renameat,renameat2,unlink,unlinkat,fsync,fdatasync",
                             try Repository.telegenBinary(), "--config", config]
        process.environment = ProcessInfo.processInfo.environment.merging(["KUBECONFIG": "", "KUBERNETES_SERVICE_HOST": ""]) { $1 }
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        // strace outlives a SIGTERM of its own; the agent (the lowest pid traced, its
        // threads come later) is the one to stop, and strace follows it out.
        func lines() -> [Substring] { ((try? String(contentsOfFile: trace, encoding: .utf8)) ?? "").split(separator: "\n") }
        func stopAgent() {
            let pids = lines().compactMap { $0.split(separator: " ").first.flatMap { Int32($0) } }
            if let agent = pids.min() { kill(agent, SIGTERM) } else { process.terminate() }
            process.waitUntilExit()
        }
        defer { if process.isRunning { stopAgent() } }
        // Batches are stored, then given up (nobody listens) and removed.
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        func calls(_ name: String) -> Int {
            lines().filter { $0.contains(name + "(") && $0.contains(queue + "/") }.count
        }
        while (calls("rename") < 2 || calls("unlink") < 2) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        stopAgent()
        let traced = lines()
        let renames = traced.filter { $0.contains("rename(") && $0.contains(queue + "/") && $0.hasSuffix("= 0") }.count
        let unlinks = traced.filter { $0.contains("unlink(\"\(queue)/") && $0.hasSuffix("= 0") }.count
        let directorySyncs = traced.filter { $0.contains("fsync(") && $0.contains("<\(queue)>") }.count
        #expect(renames >= 2 && unlinks >= 2, "\(traced.suffix(20))")
        #expect(directorySyncs >= renames + unlinks, "renames \(renames), unlinks \(unlinks), directory fsyncs \(directorySyncs)")
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

/// Delta baselines across whole pushes: what the store still holds is remembered, what
/// left it is forgotten.
struct DeltaPushTests {
    /// A push loop whose exporter only queues (nothing sends).
    private func makeLoop(_ store: SnapshotStore) throws -> MetricsPushLoop {
        let transport = try GRPCTransport(endpoint: HTTP2Endpoint(url: "http://127.0.0.1:9"), settings: TransportSettings(userAgent: "telegen/test"))
        let exporter = try OTLPExporter(transport: transport, logger: Logger(label: "test"))
        return MetricsPushLoop(store: store, selfMetrics: SelfMetrics(version: "test", startUnixNano: 0), exporter: exporter, kubeState: nil,
                               encoding: .init(resource: OTLPResource(attributes: []), temporality: .delta, signalMetadata: nil,
                                               defaultStartTimeUnixNano: 0),
                               interval: .seconds(1), flushTimeout: .seconds(1), logger: Logger(label: "test"))
    }

    private func publish(_ store: SnapshotStore, _ collector: String, at time: UInt64, _ values: [(pod: String, value: Double)]) {
        store.publish([MetricFamily(name: "\(collector)_total", help: "h", type: .counter, series: values.map {
            Series(labels: LabelSet(names: ["pod"], values: [$0.pod]), value: $0.value, startTimeUnixNano: 1)
        })], from: collector, at: time)
    }

    @Test func aCollectorWithNothingNewKeepsItsBaselines() async throws {
        let store = SnapshotStore()
        let loop = try makeLoop(store)
        var state = MetricsPushLoop.PushState()
        publish(store, "cadvisor", at: 1_000, [("a", 10), ("b", 5)])
        publish(store, "node", at: 1_000, [("n", 1)])
        #expect(await loop.push(&state) == 0)  // baselines only
        #expect(state.deltas.count == 3)
        // The node collector is faster than cadvisor: this push has nothing new of cadvisor's,
        // whose series are still in the store and keep their baselines.
        publish(store, "node", at: 2_000, [("n", 3)])
        #expect(await loop.push(&state) == 1)
        #expect(state.deltas.count == 3)
        // cadvisor's next snapshot: pod a's increase is sent, pod b has left and is forgotten.
        publish(store, "cadvisor", at: 3_000, [("a", 12)])
        #expect(await loop.push(&state) == 1)
        #expect(state.deltas.count == 2)
        // Pod b comes back: it starts from a new baseline, not from its old value.
        publish(store, "cadvisor", at: 4_000, [("a", 13), ("b", 7)])
        #expect(await loop.push(&state) == 1)
        #expect(state.deltas.count == 3)
    }

    @Test func baselinesFollowTheLiveSeriesNotEverySeriesEverSeen() async throws {
        let store = SnapshotStore()
        let loop = try makeLoop(store)
        var state = MetricsPushLoop.PushState()
        for generation in 0..<200 {
            // Each cycle a new set of pods replaces the last one (churn).
            publish(store, "cadvisor", at: UInt64(generation + 1) * 1_000, (0..<10).map { ("pod-\(generation)-\($0)", 1) })
            await loop.push(&state)
            #expect(state.deltas.count == 10)
        }
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
