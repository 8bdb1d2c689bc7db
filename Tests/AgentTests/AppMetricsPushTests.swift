@testable import Agent
import AppMetrics
import Foundation
import HTTP2Transport
import Logging
import OTLPWire
import TelemetryModel
import Testing
import TestSupport

/// Scraped applications' metrics in the OTLP push: each target a resource of its own,
/// sent cumulative whatever the agent's temporality, once per scrape.
struct AppMetricsPushTests {
    private struct Targets: TargetMetricsProvider {
        var targets: [TargetMetrics]
        func currentTargets() -> [TargetMetrics] { targets }
    }

    private static let target = ScrapeTarget(podName: "payments-0", podUID: "uid-1", namespace: "shop", nodeName: "node-1",
                                             serviceName: "payments", podIP: "10.1.2.3", port: 9090)

    private func scrape(_ mapper: inout TargetMetricsMapper, requests: Double, at time: UInt64) -> TargetMetrics {
        mapper.map(ScrapeOutcome(target: Self.target, startUnixNano: time, duration: .milliseconds(20), result: .success(ScrapedExposition(
            families: [ScrapedFamily(name: "requests_total", type: .counter, help: "Requests.",
                                     points: [ScrapedPoint(labels: [ScrapedLabel(name: "code", value: "200")], value: .number(requests))])],
            sampleCount: 1))))
    }

    private func makeLoop(port: Int, store: SnapshotStore, apps: any TargetMetricsProvider) throws -> MetricsPushLoop {
        let transport = try GRPCTransport(endpoint: HTTP2Endpoint(url: "http://127.0.0.1:\(port)"), settings: TransportSettings(userAgent: "telegen/test"))
        let exporter = try OTLPExporter(transport: transport, logger: Logger(label: "test"))
        let resource = OTLPResource(attributes: [
            LogRecord.Attribute("service.name", .string("telegen")), LogRecord.Attribute("service.version", .string("9.9.9")),
            LogRecord.Attribute("k8s.node.name", .string("node-1")),
        ])
        return MetricsPushLoop(store: store, selfMetrics: SelfMetrics(version: "test", startUnixNano: 0), exporter: exporter, kubeState: nil,
                               apps: apps,
                               encoding: .init(resource: resource, temporality: .delta, signalMetadata: (.telegen, SignalMetadataFields()),
                                               defaultStartTimeUnixNano: 0),
                               interval: .seconds(1), flushTimeout: .seconds(1), logger: Logger(label: "test"))
    }

    @Test func eachTargetIsAResourceSentCumulativeOncePerScrape() async throws {
        let receiver = try OTLPReceiver()
        try receiver.start()
        defer { receiver.stop() }
        let store = SnapshotStore()
        store.publish([MetricFamily(name: "node_load1", help: "Load.", type: .gauge, series: [Series(value: 0.5)])], from: "node", at: 1_000)
        var mapper = TargetMetricsMapper()
        var loop = try makeLoop(port: receiver.port, store: store, apps: Targets(targets: [scrape(&mapper, requests: 10, at: 5_000)]))
        let exporter = loop.exporter
        let sender = Task { await exporter.run() }
        var state = MetricsPushLoop.PushState()
        // Delta would hold back a counter's first value as a baseline; the app's is sent.
        #expect(await loop.push(&state) == 5)
        // The same scrape again: nothing new to send.
        #expect(await loop.push(&state) == 0)
        loop.apps = Targets(targets: [scrape(&mapper, requests: 15, at: 6_000)])
        #expect(await loop.push(&state) == 4)
        #expect(await exporter.flush(timeout: .seconds(90)))
        sender.cancel()
        await sender.value

        let records = try await receiver.waitForRequests(2, timeout: .seconds(90))
        try #require(records.count >= 2, "\(records.count) requests arrived")
        let first = try #require((records[0]["request"] as? [String: Any])?["resource_metrics"] as? [[String: Any]])
        try #require(first.count == 2)
        func attributes(_ resource: [String: Any]) -> [String: String] {
            var result: [String: String] = [:]
            for attribute in (resource["resource"] as? [String: Any])?["attributes"] as? [[String: Any]] ?? [] {
                result[attribute["key"] as? String ?? ""] = (attribute["value"] as? [String: Any])?["string_value"] as? String
            }
            return result
        }
        #expect(attributes(first[0])["service.name"] == "telegen")
        let app = attributes(first[1])
        #expect(app["service.name"] == "payments")
        #expect(app["service.instance.id"] == "10.1.2.3:9090")
        #expect(app["k8s.pod.name"] == "payments-0")
        #expect(app["k8s.node.name"] == "node-1")
        #expect(app["service.version"] == nil)
        let scope = try #require((first[1]["scope_metrics"] as? [[String: Any]])?.first)
        #expect((scope["scope"] as? [String: Any])?["name"] as? String == "telegen.apps")
        let metrics = try #require(scope["metrics"] as? [[String: Any]])
        #expect(metrics.map { $0["name"] as? String } == ["requests_total", "up", "scrape_duration_seconds", "scrape_samples_scraped"])
        let sum = try #require(metrics[0]["sum"] as? [String: Any])
        #expect(sum["aggregation_temporality"] as? String == "AGGREGATION_TEMPORALITY_CUMULATIVE")
        let point = try #require((sum["data_points"] as? [[String: Any]])?.first)
        #expect(point["as_double"] as? Double == 10)
        #expect(point["start_time_unix_nano"] as? String == "5000")

        let second = try #require((records[1]["request"] as? [String: Any])?["resource_metrics"] as? [[String: Any]])
        try #require(second.count == 1)  // node had nothing new; the app's second scrape
        let again = try #require(((second[0]["scope_metrics"] as? [[String: Any]])?.first?["metrics"] as? [[String: Any]])?.first)
        let againPoint = try #require(((again["sum"] as? [String: Any])?["data_points"] as? [[String: Any]])?.first)
        #expect(againPoint["as_double"] as? Double == 15)
        #expect(againPoint["start_time_unix_nano"] as? String == "5000")
    }
}
