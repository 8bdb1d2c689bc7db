import Foundation
import Testing
import TestSupport

/// Application metrics as users run them: the telegen binary discovers annotated pods
/// from the fake API server (whose "pods" run on loopback: real exporters started by
/// the test), scrapes them and pushes each as its own OTLP resource to the grpcio
/// receiver. What arrives must be what each target exposed in the scrape it came
/// from (values, types, buckets, quantiles, start times), with the target's resource
/// attributes; bad targets report `up 0` and a counted reason without disturbing the
/// others; pods not annotated or not running are never scraped.
@Suite(.serialized)
struct AppMetricsEndToEndTests {
    static let node = "node-e2e"

    static func pod(_ name: String, port: Int?, prefix: String = "prometheus.io", path: String? = nil, phase: String = "Running",
                    annotated: Bool = true, labels: [String: String] = [:], containerPorts: [[String: Any]] = [],
                    owner: (kind: String, name: String)? = nil) -> [String: Any] {
        var annotations: [String: String] = [:]
        if annotated { annotations["\(prefix)/scrape"] = "true" }
        if annotated, let port { annotations["\(prefix)/port"] = String(port) }
        if let path { annotations["\(prefix)/path"] = path }
        var metadata: [String: Any] = ["name": name, "namespace": "apps", "uid": "uid-\(name)", "creationTimestamp": "2024-05-01T10:00:00Z",
                                       "annotations": annotations, "labels": labels]
        if let owner {
            metadata["ownerReferences"] = [["apiVersion": "apps/v1", "kind": owner.kind, "name": owner.name, "uid": "owner-\(name)", "controller": true]]
        }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": metadata,
                "spec": ["nodeName": node, "containers": [["name": "main", "image": "app:1", "ports": containerPorts]]],
                "status": ["phase": phase, "podIP": "127.0.0.1"]]
    }

    /// Prometheus itself, serving its own /metrics on a loopback port.
    final class PrometheusServer: Sendable {
        let port: Int
        private let process: BackgroundProcess
        private let scratch: TemporaryDirectory

        init() throws {
            let binary = try Command.which("prometheus", installHint: "scripts/install-deps --test installs it")
            scratch = try TemporaryDirectory("prometheus")
            port = try LocalPort.free()
            let config = try scratch.write("prometheus.yml", "global: {scrape_interval: 1h}\n")
            process = try BackgroundProcess(binary, ["--config.file=\(config)", "--web.listen-address=127.0.0.1:\(port)",
                                                     "--storage.tsdb.path=\(scratch.path)/data"],
                                            logFile: scratch.url.appendingPathComponent("prometheus.log"))
            try LocalPort.waitUntilServing("http://127.0.0.1:\(port)/metrics", timeout: 60)
        }

        func stop() { process.stop() }
    }

    // MARK: Reading what the receiver got

    /// One target's resource in one export request.
    struct PushedTarget {
        var attributes: [String: String]
        var metrics: [String: [String: Any]]
        var upTime: UInt64
        var up: Double
    }

    static func attributes(_ list: Any?) -> [String: String] {
        var result: [String: String] = [:]
        for entry in list as? [[String: Any]] ?? [] {
            let value = entry["value"] as? [String: Any]
            result[entry["key"] as? String ?? ""] = value?["string_value"] as? String ?? (value?["int_value"]).map { "\($0)" }
        }
        return result
    }

    static func pushedTargets(_ records: [[String: Any]]) -> [PushedTarget] {
        records.flatMap { record -> [PushedTarget] in
            let resources = (record["request"] as? [String: Any])?["resource_metrics"] as? [[String: Any]] ?? []
            return resources.compactMap { resource -> PushedTarget? in
                let scopes = resource["scope_metrics"] as? [[String: Any]] ?? []
                guard let apps = scopes.first(where: { ($0["scope"] as? [String: Any])?["name"] as? String == "telegen.apps" }) else { return nil }
                var metrics: [String: [String: Any]] = [:]
                for metric in apps["metrics"] as? [[String: Any]] ?? [] { metrics[metric["name"] as? String ?? ""] = metric }
                let upPoint = ((metrics["up"]?["gauge"] as? [String: Any])?["data_points"] as? [[String: Any]])?.first
                return PushedTarget(attributes: attributes((resource["resource"] as? [String: Any])?["attributes"]), metrics: metrics,
                                    upTime: UInt64(upPoint?["time_unix_nano"] as? String ?? "0") ?? 0,
                                    up: number(upPoint?["as_double"]) ?? 0)
            }
        }
    }

    static func number(_ value: Any?) -> Double? {
        switch value {
        case let double as Double: double
        case let int as Int: Double(int)
        case let text as String: Double(text) ?? (text == "NaN" ? .nan : text == "Infinity" ? .infinity : text == "-Infinity" ? -.infinity : nil)
        default: nil
        }
    }

    static func same(_ a: Double?, _ b: Double?) -> Bool {
        guard let a, let b else { return false }
        return a == b || (a.isNaN && b.isNaN)
    }

    /// The oracle: the official Python client's parser, as JSON families.
    static func parsed(_ body: String, openMetrics: Bool) throws -> [[String: Any]] {
        let result = try Command.run(try Repository.python(), [Repository.root.appendingPathComponent("Tests/Python/exposition_json.py").path,
                                                              openMetrics ? "openmetrics" : "text"], input: Array(body.utf8))
        guard result.status == 0 else { throw CommandError.timedOut("exposition_json.py: \(result.stderr)") }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
    }

    /// Compares every sample of the exposition with the pushed metrics; returns the
    /// differences (empty when equal) and how many points were compared.
    static func compare(_ families: [[String: Any]], with pushed: PushedTarget, openMetrics: Bool) -> (problems: [String], compared: Int) {
        var problems: [String] = []
        var compared = 0
        // `<name>_created` of a counter, histogram or summary: its start time. The text
        // parser reads it as a gauge family of its own.
        var created: [String: Double] = [:]
        func key(_ name: String, _ labels: [String: String]) -> String {
            name + "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "}"
        }
        let typed = Set(families.filter { ["counter", "histogram", "summary"].contains($0["type"] as? String) }.flatMap { family -> [String] in
            let name = family["name"] as? String ?? ""
            return [name, name + "_total"]
        })
        for family in families {
            for sample in family["samples"] as? [[String: Any]] ?? [] {
                let name = sample["name"] as? String ?? ""
                guard name.hasSuffix("_created") else { continue }
                let base = String(name.dropLast("_created".count))
                if typed.contains(base) || typed.contains(base + "_total") || family["type"] as? String != "gauge" {
                    created[key(base, sample["labels"] as? [String: String] ?? [:])] = number(sample["value"])
                }
            }
        }
        func points(_ metric: [String: Any]?, _ kind: String) -> [[String: Any]] {
            (metric?[kind] as? [String: Any])?["data_points"] as? [[String: Any]] ?? []
        }
        // An empty label value is no label at all (as in Prometheus).
        func point(_ points: [[String: Any]], _ labels: [String: String]) -> [String: Any]? {
            let wanted = labels.filter { !$0.value.isEmpty }
            return points.first { attributes($0["attributes"]).filter { !$0.value.isEmpty } == wanted }
        }
        func checkStart(_ point: [String: Any], _ base: String, _ labels: [String: String], _ what: String) {
            guard let seconds = created[key(base, labels)] else { return }
            let start = UInt64(point["start_time_unix_nano"] as? String ?? "0") ?? 0
            // The exposition's float seconds, to the microsecond.
            if abs(Double(start) / 1e9 - seconds) > 1e-6 { problems.append("\(what): start \(start) != created \(seconds)") }
        }
        for family in families {
            let name = family["name"] as? String ?? ""
            let type = family["type"] as? String ?? ""
            let samples = family["samples"] as? [[String: Any]] ?? []
            switch type {
            case "gauge", "unknown", "untyped":
                if name.hasSuffix("_created") && created.keys.contains(where: { $0.hasPrefix(String(name.dropLast("_created".count)) + "{") }) { continue }
                for sample in samples {
                    let labels = sample["labels"] as? [String: String] ?? [:]
                    let what = key(sample["name"] as? String ?? name, labels)
                    guard let found = point(points(pushed.metrics[sample["name"] as? String ?? name], "gauge"), labels) else {
                        problems.append("\(what): no gauge point"); continue
                    }
                    compared += 1
                    if !same(number(found["as_double"]) ?? 0, number(sample["value"])) { problems.append("\(what): \(found["as_double"] ?? 0) != \(sample["value"] ?? "")") }
                }
            case "counter":
                for sample in samples where (sample["name"] as? String ?? "").hasSuffix("_total") || !openMetrics {
                    let sampleName = sample["name"] as? String ?? name
                    let labels = sample["labels"] as? [String: String] ?? [:]
                    let what = key(sampleName, labels)
                    let metric = pushed.metrics[sampleName]
                    let sum = metric?["sum"] as? [String: Any]
                    guard let found = point(points(metric, "sum"), labels) else { problems.append("\(what): no sum point"); continue }
                    compared += 1
                    if sum?["is_monotonic"] as? Bool != true { problems.append("\(what): not monotonic") }
                    if sum?["aggregation_temporality"] as? String != "AGGREGATION_TEMPORALITY_CUMULATIVE" { problems.append("\(what): not cumulative") }
                    if !same(number(found["as_double"]) ?? 0, number(sample["value"])) { problems.append("\(what): \(found["as_double"] ?? 0) != \(sample["value"] ?? "")") }
                    checkStart(found, name, labels, what)
                }
            case "histogram":
                var series: [String: (labels: [String: String], buckets: [(Double, Double)], count: Double?, sum: Double?)] = [:]
                for sample in samples {
                    var labels = sample["labels"] as? [String: String] ?? [:]
                    let sampleName = sample["name"] as? String ?? ""
                    let le = labels.removeValue(forKey: "le")
                    var entry = series[key(name, labels)] ?? (labels, [], nil, nil)
                    if sampleName.hasSuffix("_bucket"), let le { entry.buckets.append((le == "+Inf" ? .infinity : Double(le) ?? .nan, number(sample["value"]) ?? .nan)) }
                    if sampleName.hasSuffix("_count") { entry.count = number(sample["value"]) }
                    if sampleName.hasSuffix("_sum") { entry.sum = number(sample["value"]) }
                    series[key(name, labels)] = entry
                }
                for (what, expected) in series {
                    guard let found = point(points(pushed.metrics[name], "histogram"), expected.labels) else { problems.append("\(what): no histogram point"); continue }
                    compared += 1
                    let bounds = (found["explicit_bounds"] as? [Any] ?? []).compactMap { number($0) }
                    let counts = (found["bucket_counts"] as? [Any] ?? []).compactMap { number($0) }
                    let sorted = expected.buckets.sorted { $0.0 < $1.0 }
                    let expectedBounds = sorted.map(\.0).filter { $0 != .infinity }
                    var previous = 0.0
                    let expectedCounts = sorted.map { bucket -> Double in defer { previous = bucket.1 }; return bucket.1 - previous }
                    if bounds != expectedBounds { problems.append("\(what): bounds \(bounds) != \(expectedBounds)") }
                    if counts != expectedCounts { problems.append("\(what): bucket counts \(counts) != \(expectedCounts)") }
                    if !same(number(found["count"]) ?? 0, expected.count) { problems.append("\(what): count \(found["count"] ?? 0) != \(expected.count ?? -1)") }
                    if !same(number(found["sum"]) ?? 0, expected.sum) { problems.append("\(what): sum \(found["sum"] ?? 0) != \(expected.sum ?? -1)") }
                    checkStart(found, name, expected.labels, what)
                }
            case "summary":
                var series: [String: (labels: [String: String], quantiles: [(Double, Double)], count: Double?, sum: Double?)] = [:]
                for sample in samples {
                    var labels = sample["labels"] as? [String: String] ?? [:]
                    let sampleName = sample["name"] as? String ?? ""
                    let quantile = labels.removeValue(forKey: "quantile")
                    var entry = series[key(name, labels)] ?? (labels, [], nil, nil)
                    if sampleName == name, let quantile { entry.quantiles.append((Double(quantile) ?? .nan, number(sample["value"]) ?? .nan)) }
                    if sampleName.hasSuffix("_count") { entry.count = number(sample["value"]) }
                    if sampleName.hasSuffix("_sum") { entry.sum = number(sample["value"]) }
                    series[key(name, labels)] = entry
                }
                for (what, expected) in series {
                    guard let found = point(points(pushed.metrics[name], "summary"), expected.labels) else { problems.append("\(what): no summary point"); continue }
                    compared += 1
                    let quantiles = (found["quantile_values"] as? [[String: Any]] ?? []).map { (number($0["quantile"]) ?? 0, number($0["value"]) ?? 0) }
                    let matches = quantiles.count == expected.quantiles.count
                        && zip(quantiles, expected.quantiles.sorted { $0.0 < $1.0 }).allSatisfy { $0.0 == $1.0 && same($0.1, $1.1) }
                    if !matches { problems.append("\(what): quantiles \(quantiles) != \(expected.quantiles)") }
                    if !same(number(found["count"]) ?? 0, expected.count) { problems.append("\(what): count \(found["count"] ?? 0) != \(expected.count ?? -1)") }
                    if !same(number(found["sum"]) ?? 0, expected.sum) { problems.append("\(what): sum \(found["sum"] ?? 0) != \(expected.sum ?? -1)") }
                    checkStart(found, name, expected.labels, what)
                }
            default:
                break  // info, stateset, gaugehistogram: not served by these exporters
            }
        }
        return (problems, compared)
    }

    // MARK: The test

    @Test func realExportersArrivePointForPointAndBadTargetsFailAlone() async throws {
        let apiServer = try FakeAPIServer(FakeAPIServer.Options(nodes: 1))
        defer { apiServer.stop() }
        let receiver = try OTLPReceiver()
        defer { receiver.stop() }
        let nodeExporter = try NodeExporter()
        defer { nodeExporter.stop() }
        let nodeExporterPort = Int(nodeExporter.url.split(separator: ":").last!.split(separator: "/").first!)!
        let nodeProxy = try PythonServer(script: "scrape_proxy.py", arguments: ["--upstream", "http://127.0.0.1:\(nodeExporterPort)"])
        defer { nodeProxy.stop() }
        let prometheus = try PrometheusServer()
        defer { prometheus.stop() }
        let prometheusProxy = try PythonServer(script: "scrape_proxy.py", arguments: ["--upstream", "http://127.0.0.1:\(prometheus.port)"])
        defer { prometheusProxy.stop() }
        let openMetricsApp = try PythonServer(script: "prometheus_app.py", arguments: ["--format", "negotiate"])
        defer { openMetricsApp.stop() }
        let textApp = try PythonServer(script: "prometheus_app.py", arguments: ["--format", "text"])
        defer { textApp.stop() }
        let bad = try PythonServer(script: "bad_exporter.py", arguments: ["--slow", "4", "--samples", "30000"])
        defer { bad.stop() }
        let canary = try PythonServer(script: "prometheus_app.py", arguments: [])
        defer { canary.stop() }
        let refused = try RefusedPort()
        let refusedPort = refused.port
        defer { withExtendedLifetime(refused) {} }  // refusing until the test ends

        let badPaths = ["/ok": "bad-ok", "/status-500": "bad-status", "/slow": "bad-slow", "/huge": "bad-huge", "/many-samples": "bad-many",
                        "/garbage": "bad-garbage", "/invalid-utf8": "bad-utf8", "/duplicate": "bad-duplicate"]
        var pods: [[String: Any]] = [
            Self.pod("node-exporter-x7k2p", port: nodeProxy.port, labels: ["app.kubernetes.io/name": "node-exporter"], owner: ("DaemonSet", "node-exporter")),
            Self.pod("prometheus-server-5d8f7c9b6-q2w3e", port: nil, prefix: "victoriametrics.com",
                     containerPorts: [["name": "web", "containerPort": 1], ["name": "http-metrics", "containerPort": prometheusProxy.port]],
                     owner: ("ReplicaSet", "prometheus-server-5d8f7c9b6")),
            Self.pod("app-openmetrics", port: openMetricsApp.port, path: "/metrics"),
            Self.pod("app-text", port: textApp.port),
            Self.pod("bad-refused", port: refusedPort),
            Self.pod("not-annotated", port: nil, annotated: false, containerPorts: [["name": "metrics", "containerPort": canary.port]]),
            Self.pod("not-running", port: canary.port, phase: "Succeeded"),
        ]
        for (path, name) in badPaths { pods.append(Self.pod(name, port: bad.port, path: path)) }
        try apiServer.upsert(resource: "pods", objects: pods)

        let scratch = try TemporaryDirectory()
        let listenPort = try LocalPort.free()
        let kubeconfig = try apiServer.writeKubeconfig()
        let config = try scratch.write("telegen.yaml", """
            kubernetes: {kubeconfig: \(kubeconfig)}
            kube_metrics:
              listen_address: "127.0.0.1:\(listenPort)"
              kube_state: {enabled: false}
              cadvisor: {enabled: false}
              node: {enabled: false}
              streaming: {enabled: true, endpoint: "http://127.0.0.1:\(receiver.port)", interval: 1s, compression: none}
              app_metrics:
                enabled: true
                interval: 2s
                timeout: 1s
                sample_limit: 20000
                body_size_limit: 4MiB
            """)
        let agent = try BackgroundProcess(try Repository.telegenBinary(), ["--config", config, "--node-name", Self.node, "--log-level", "info"],
                                          logFile: scratch.url.appendingPathComponent("agent.log"))
        defer { agent.stop() }

        let good = ["node-exporter-x7k2p", "prometheus-server-5d8f7c9b6-q2w3e", "app-openmetrics", "app-text", "bad-ok"]
        let failing = ["bad-refused", "bad-status", "bad-slow", "bad-huge", "bad-many", "bad-garbage", "bad-utf8", "bad-duplicate"]
        var targets: [PushedTarget] = []
        let deadline = ContinuousClock.now + .seconds(60)
        func seen(_ pod: String, up: Double) -> Bool { targets.contains { $0.attributes["k8s.pod.name"] == pod && $0.up == up } }
        repeat {
            try await Task.sleep(for: .milliseconds(500))
            targets = Self.pushedTargets(try receiver.received())
        } while !(good.allSatisfy { seen($0, up: 1) } && failing.allSatisfy { seen($0, up: 0) }) && ContinuousClock.now < deadline && agent.isRunning
        for pod in good { #expect(seen(pod, up: 1), "\(pod) up 1; agent log:\n\(agent.output.suffix(3000))") }
        for pod in failing { #expect(seen(pod, up: 0), "\(pod) up 0") }
        #expect(!targets.contains { $0.attributes["k8s.pod.name"] == "not-annotated" || $0.attributes["k8s.pod.name"] == "not-running" })
        #expect(try canary.received().isEmpty, "a pod not annotated or not running is never scraped")

        // Resource attributes of a target.
        let prometheusTarget = try #require(targets.first { $0.attributes["k8s.pod.name"] == "prometheus-server-5d8f7c9b6-q2w3e" })
        #expect(prometheusTarget.attributes["service.name"] == "prometheus-server")
        #expect(prometheusTarget.attributes["service.instance.id"] == "127.0.0.1:\(prometheusProxy.port)")
        #expect(prometheusTarget.attributes["server.address"] == "127.0.0.1")
        #expect(prometheusTarget.attributes["server.port"] == String(prometheusProxy.port))
        #expect(prometheusTarget.attributes["url.scheme"] == "http")
        #expect(prometheusTarget.attributes["k8s.namespace.name"] == "apps")
        #expect(prometheusTarget.attributes["k8s.pod.uid"] == "uid-prometheus-server-5d8f7c9b6-q2w3e")
        #expect(prometheusTarget.attributes["k8s.node.name"] == Self.node)
        #expect(targets.first { $0.attributes["k8s.pod.name"] == "node-exporter-x7k2p" }?.attributes["service.name"] == "node-exporter")
        #expect(targets.first { $0.attributes["k8s.pod.name"] == "app-text" }?.attributes["service.name"] == "app-text")

        // Each real exporter: the pushed metrics of a scrape equal the body it served then.
        for (pod, recorder) in [("node-exporter-x7k2p", nodeProxy), ("prometheus-server-5d8f7c9b6-q2w3e", prometheusProxy),
                                ("app-openmetrics", openMetricsApp), ("app-text", textApp)] {
            let served = try recorder.received()
            let headers = served.first?["headers"] as? [String: String] ?? [:]
            #expect(headers["Accept"] == "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.3", "\(pod)")
            #expect(headers["X-Prometheus-Scrape-Timeout-Seconds"] == "1", "\(pod)")
            var matched = false
            for pushed in targets where pushed.attributes["k8s.pod.name"] == pod && pushed.up == 1 {
                let time = Double(pushed.upTime) / 1e9
                guard let scrape = served.min(by: { abs(($0["time"] as? Double ?? 0) - time) < abs(($1["time"] as? Double ?? 0) - time) }),
                      abs((scrape["time"] as? Double ?? 0) - time) < 1 else { continue }
                let openMetrics = (scrape["content_type"] as? String ?? "").contains("openmetrics")
                let families = try Self.parsed(scrape["body"] as? String ?? "", openMetrics: openMetrics)
                let (problems, compared) = Self.compare(families, with: pushed, openMetrics: openMetrics)
                #expect(problems.isEmpty, "\(pod) (\(openMetrics ? "OpenMetrics" : "text")): \(problems.prefix(20))")
                #expect(compared > 5, "\(pod): \(compared) points compared")
                if pod == "app-openmetrics" { #expect(openMetrics, "the app negotiated OpenMetrics") }
                if pod == "app-text" { #expect(!openMetrics) }
                matched = true
                break
            }
            #expect(matched, "\(pod): a push matching one of its \(served.count) scrapes")
        }

        // Every failure is counted by reason, and the targets are counted.
        let selfText = try HTTP.get("http://127.0.0.1:\(listenPort)/metrics/self").body
        for reason in ["refused", "http_status", "timeout", "body_too_large", "sample_limit", "parse:invalid_utf8", "parse:duplicate_series"] {
            #expect(selfText.contains(#"telegen_app_scrape_failures_total{reason="\#(reason)"}"#), "\(reason)")
        }
        #expect(selfText.contains(#"telegen_app_targets{state="discovered"} \#(good.count + failing.count)"#), "\(selfText.split(separator: "\n").filter { $0.contains("telegen_app_") })")
        #expect(selfText.contains(#"telegen_app_scrapes_total{result="success"}"#))

        // A deleted pod stops being scraped and pushed.
        try apiServer.delete(resource: "pods", namespace: "apps", name: "app-text")
        try await Task.sleep(for: .seconds(1))
        let scrapesAfterDelete = try textApp.received().count
        let requestsAfterDelete = try receiver.received().count
        try await Task.sleep(for: .seconds(5))
        #expect(try textApp.received().count <= scrapesAfterDelete + 1, "at most a scrape already in flight")
        let later = Self.pushedTargets(Array(try receiver.received().dropFirst(requestsAfterDelete + 2)))
        #expect(!later.isEmpty)
        #expect(!later.contains { $0.attributes["k8s.pod.name"] == "app-text" }, "a removed target's series are no longer pushed")
    }
}
