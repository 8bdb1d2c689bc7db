@testable import Agent
import TelemetryModel
import Testing

struct ContentNegotiationTests {
    @Test(arguments: [
        (nil, ExpositionFormat.prometheusText),
        ("", .prometheusText),
        ("text/plain", .prometheusText),
        ("*/*", .prometheusText),
        ("application/openmetrics-text", .openMetrics),
        ("application/openmetrics-text; version=1.0.0", .openMetrics),
        // What Prometheus 2.x sends.
        ("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", .openMetrics),
        ("text/plain;version=0.0.4;q=1,application/openmetrics-text;version=1.0.0;q=0.5", .prometheusText),
        ("application/openmetrics-text;version=0.0.1", .prometheusText),
        ("application/openmetrics-text;q=0", .prometheusText),
        ("APPLICATION/OPENMETRICS-TEXT ; Version=1.0.0", .openMetrics),
        ("garbage;;;=,,", .prometheusText),
    ] as [(String?, ExpositionFormat)])
    func picksTheFormat(accept: String?, expected: ExpositionFormat) {
        #expect(ContentNegotiation.format(forAccept: accept) == expected)
    }
}

struct MetricsEndpointsTests {
    private func endpoints(separate: Bool = true, enabled: [String] = ["node"]) -> MetricsEndpoints {
        let store = SnapshotStore()
        store.publish([MetricFamily(name: "node_load1", help: "1m load average.", type: .gauge, series: [Series(value: 0.5)])],
                      from: "node", at: 1)
        return MetricsEndpoints(store: store, selfMetrics: SelfMetrics(version: "test", startUnixNano: 0),
                                separateEndpoints: separate, enabledCollectors: enabled)
    }

    private func body(_ response: MetricsEndpoints.Response) -> String { String(decoding: response.body, as: UTF8.self) }

    @Test func servesEachCollectorAndEverything() {
        let endpoints = endpoints()
        let node = endpoints.respond(path: "/metrics/node", accept: nil)
        #expect(node.status == 200)
        #expect(node.contentType == "text/plain; version=0.0.4; charset=utf-8")
        #expect(body(node) == "# HELP node_load1 1m load average.\n# TYPE node_load1 gauge\nnode_load1 0.5\n")
        let all = body(endpoints.respond(path: "/metrics", accept: nil))
        #expect(all.hasPrefix("# HELP node_load1"))
        #expect(all.contains("telegen_build_info{version=\"test\""))
        let selfOnly = body(endpoints.respond(path: "/metrics/self?x=1", accept: nil))
        #expect(selfOnly.contains("telegen_build_info") && !selfOnly.contains("node_load1"))
    }

    @Test func openMetricsWhenAsked() {
        let response = endpoints().respond(path: "/metrics/node", accept: "application/openmetrics-text; version=1.0.0")
        #expect(response.contentType == "application/openmetrics-text; version=1.0.0; charset=utf-8")
        #expect(body(response).hasSuffix("node_load1 0.5\n# EOF\n"))
    }

    @Test func unknownDisabledAndJoinedEndpoints() {
        #expect(endpoints().respond(path: "/metrics/nope", accept: nil).status == 404)
        #expect(endpoints().respond(path: "/metrics/cadvisor", accept: nil).status == 404)
        #expect(endpoints().respond(path: "/favicon.ico", accept: nil).status == 404)
        #expect(endpoints(separate: false).respond(path: "/metrics/node", accept: nil).status == 404)
        #expect(endpoints(separate: false).respond(path: "/metrics", accept: nil).status == 200)
        // An enabled collector that has not finished its first cycle serves an empty page.
        let pending = endpoints(enabled: ["node", "cadvisor"]).respond(path: "/metrics/cadvisor", accept: nil)
        #expect(pending.status == 200 && pending.body.isEmpty)
    }

    @Test func readinessWaitsForEveryEnabledCollector() {
        #expect(endpoints().respond(path: "/readyz", accept: nil).status == 200)
        let waiting = endpoints(enabled: ["kubestate", "node"]).respond(path: "/readyz", accept: nil)
        #expect(waiting.status == 503)
        #expect(body(waiting) == "waiting for the first collection of: kubestate\n")
        #expect(endpoints(enabled: ["kubestate"]).respond(path: "/healthz", accept: nil).status == 200)
    }

    @Test func handlerLabelsCannotExplode() {
        let endpoints = endpoints()
        #expect(endpoints.handlerName(for: "/metrics/node") == "/metrics/node")
        #expect(endpoints.handlerName(for: "/metrics/self") == "/metrics/self")
        #expect(endpoints.handlerName(for: "/wp-admin/\(Int.random(in: 0...1000))") == "other")
        #expect(endpoints.handlerName(for: "/metrics/../../etc") == "other")
    }
}

struct SelfMetricsTests {
    @Test func countsRunsFailuresAndTransitions() {
        let metrics = SelfMetrics(version: "1.2.3", startUnixNano: 5_000_000_000)
        let failing = CollectionResult(families: [], failures: [CollectionFailure(subsystem: "meminfo", message: "x")])
        var change = metrics.recordCollection(collector: "node", duration: .milliseconds(2), result: failing)
        #expect(change.newlyFailing == ["meminfo"] && change.recovered.isEmpty)
        change = metrics.recordCollection(collector: "node", duration: .milliseconds(2), result: failing)
        #expect(change.newlyFailing.isEmpty)
        change = metrics.recordCollection(collector: "node", duration: .milliseconds(3), result: CollectionResult(families: []))
        #expect(change.recovered == ["meminfo"])
        metrics.recordHTTPRequest(handler: "/metrics", code: 200)
        metrics.recordHTTPRequest(handler: "/metrics", code: 200)

        let text = String(decoding: ExpositionEncoder(format: .prometheusText).encode(metrics.families()), as: UTF8.self)
        #expect(text.contains("telegen_build_info{version=\"1.2.3\",swift_version="))
        #expect(text.contains("telegen_collector_runs_total{collector=\"node\"} 3\n"))
        #expect(text.contains("telegen_collector_errors_total{collector=\"node\",subsystem=\"meminfo\"} 2\n"))
        #expect(text.contains("telegen_collector_last_duration_seconds{collector=\"node\"} 0.003\n"))
        #expect(text.contains("telegen_http_requests_total{handler=\"/metrics\",code=\"200\"} 2\n"))
        let runs = metrics.families().first { $0.name == "telegen_collector_runs_total" }
        #expect(runs?.series.first?.startTimeUnixNano == 5_000_000_000)
    }
}
