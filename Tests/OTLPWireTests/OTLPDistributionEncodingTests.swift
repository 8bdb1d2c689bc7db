import Foundation
import OTLPWire
import TelemetryModel
import Testing
import TestSupport

/// Histograms, summaries and several resources in one request, encoded by the stream
/// encoder and read back by Google's protobuf runtime with the official
/// opentelemetry-proto package (Tests/Python/decode_metrics_request.py).
struct OTLPDistributionEncodingTests {
    private static let agent = OTLPResource(attributes: [
        LogRecord.Attribute("service.name", .string("telegen")),
        LogRecord.Attribute("k8s.node.name", .string("node-1")),
    ])

    /// Decodes requests with the official package: one JSON object per request.
    private func decode(_ requests: [OTLPMetricsStreamEncoder.EncodedRequest]) throws -> [[String: Any]] {
        var input: [UInt8] = []
        for request in requests {
            withUnsafeBytes(of: UInt64(request.bytes.count).littleEndian) { input.append(contentsOf: $0) }
            input.append(contentsOf: request.bytes)
        }
        let result = try Command.run(try Repository.python(),
                                     [Repository.root.appendingPathComponent("Tests/Python/decode_metrics_request.py").path], input: input)
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    }

    private func encode(_ body: (inout OTLPMetricsStreamEncoder) -> Void, maximumRequestBytes: Int = 4 << 20,
                        temporality: OTLPMetricsEncoder.Temporality = .cumulative) -> [OTLPMetricsStreamEncoder.EncodedRequest] {
        var encoder = OTLPMetricsStreamEncoder(resource: Self.agent, temporality: temporality,
                                               signalMetadata: (.telegen, SignalMetadataFields()), maximumRequestBytes: maximumRequestBytes)
        body(&encoder)
        encoder.finish()
        return encoder.takeRequests()
    }

    private func doubles(_ value: Any?) -> [Double] {
        ((value as? [String]) ?? []).compactMap(Double.init)
    }

    private func metrics(_ request: [String: Any], resource: Int = 0) -> [[String: Any]] {
        let resources = request["resources"] as? [[String: Any]] ?? []
        guard resource < resources.count, let scope = (resources[resource]["scopes"] as? [[String: Any]])?.first else { return [] }
        return scope["metrics"] as? [[String: Any]] ?? []
    }

    @Test func histogramsAndSummariesReadBackAsWritten() throws {
        let labels = LabelSet(names: ["route", "empty"], values: ["/a", ""])
        let histogram = HistogramValue(bounds: [0.1, 0.5, 2.5], bucketCounts: [3, 0, 7, 2], count: 12, sum: 8.75)
        let nanSum = HistogramValue(bounds: [1], bucketCounts: [1, 1], count: 2, sum: .nan)
        let noSum = HistogramValue(bounds: [], bucketCounts: [4], count: 4, sum: nil)
        let summary = SummaryValue(quantiles: [.init(quantile: 0, value: 0.25), .init(quantile: 0.5, value: 1.5), .init(quantile: 0.99, value: .nan)],
                                   count: 40, sum: 61.5)
        let families = [
            MetricFamily(name: "http_request_duration_seconds", help: "Latency.", type: .histogram, unit: "s", series: [
                Series(labels: labels, distribution: .histogram(histogram), startTimeUnixNano: 1_000, timeUnixNano: 5_000),
                Series(labels: LabelSet(names: ["route"], values: ["/nan"]), distribution: .histogram(nanSum), startTimeUnixNano: 1_500),
                Series(labels: LabelSet(names: ["route"], values: ["/nosum"]), distribution: .histogram(noSum), startTimeUnixNano: 2_000),
            ]),
            MetricFamily(name: "rpc_latency_seconds", help: "RPC latency.", type: .summary, series: [
                Series(labels: .empty, distribution: .summary(summary), startTimeUnixNano: 3_000, timeUnixNano: 6_000),
            ]),
        ]
        let requests = encode { encoder in
            encoder.beginScope(OTLPScope(name: "telegen.apps", version: "1"), timeUnixNano: 9_000)
            var stream = MetricFamiliesStream(families)
            stream.render(into: &encoder)
        }
        let decoded = try decode(requests)
        try #require(decoded.count == 1)
        let metrics = metrics(decoded[0])
        try #require(metrics.count == 2)

        let histogramMetric = metrics[0]
        #expect(histogramMetric["name"] as? String == "http_request_duration_seconds")
        #expect(histogramMetric["kind"] as? String == "histogram")
        #expect(histogramMetric["unit"] as? String == "s")
        #expect(histogramMetric["temporality"] as? Int == 2)  // cumulative
        let points = try #require(histogramMetric["points"] as? [[String: Any]])
        try #require(points.count == 3)
        #expect(points[0]["attributes"] as? [String: String] == ["route": "/a"])
        #expect(points[0]["start"] as? Int == 1_000)
        #expect(points[0]["time"] as? Int == 5_000)
        #expect(points[0]["count"] as? Int == 12)
        #expect(points[0]["sum"] as? String == "8.75")
        #expect(doubles(points[0]["bounds"]) == [0.1, 0.5, 2.5])
        #expect(points[0]["bucket_counts"] as? [Int] == [3, 0, 7, 2])
        // NaN sum stays NaN; a point without its own time takes the scope's.
        #expect(points[1]["sum"] as? String == "nan")
        #expect(points[1]["time"] as? Int == 9_000)
        #expect(points[1]["bucket_counts"] as? [Int] == [1, 1])
        // No sum: the optional field is absent, not 0.
        #expect(points[2]["sum"] is NSNull)
        #expect(doubles(points[2]["bounds"]).isEmpty)
        #expect(points[2]["bucket_counts"] as? [Int] == [4])

        let summaryMetric = metrics[1]
        #expect(summaryMetric["kind"] as? String == "summary")
        let summaryPoint = try #require((summaryMetric["points"] as? [[String: Any]])?.first)
        #expect(summaryPoint["start"] as? Int == 3_000)
        #expect(summaryPoint["time"] as? Int == 6_000)
        #expect(summaryPoint["count"] as? Int == 40)
        #expect(summaryPoint["sum"] as? String == "61.5")
        let quantiles = try #require(summaryPoint["quantiles"] as? [[String]])
        #expect(quantiles.map { Double($0[0])! } == [0, 0.5, 0.99])
        #expect(Double(quantiles[0][1]) == 0.25 && Double(quantiles[1][1]) == 1.5 && Double(quantiles[2][1])!.isNaN)
        #expect(requests[0].points == 4)
    }

    @Test func twoResourcesInOneRequest() throws {
        let node = MetricFamily(name: "node_load1", help: "Load.", type: .gauge, series: [Series(value: 0.5)])
        // An application's family named like the node's: the apps scope's metadata wins.
        let app = MetricFamily(name: "node_cpu_seconds_total", help: "App CPU.", type: .counter, series: [
            Series(labels: LabelSet(names: ["mode"], values: ["user"]), value: 12, startTimeUnixNano: 100, timeUnixNano: 2_000),
        ])
        let requests = encode({ encoder in
            encoder.beginScope(OTLPScope(name: "telegen.node", version: "1"), timeUnixNano: 1_000)
            var agentStream = MetricFamiliesStream([node])
            agentStream.render(into: &encoder)
            encoder.beginResource(Self.agent.merging([("service.name", "payments"), ("k8s.pod.name", "payments-0")]), temporality: .cumulative)
            encoder.beginScope(OTLPScope(name: "telegen.apps", version: "1"), timeUnixNano: 1_500, metadata: .application(serviceName: "payments"))
            var appStream = MetricFamiliesStream([app])
            appStream.render(into: &encoder)
        }, temporality: .delta)
        let decoded = try decode(requests)
        try #require(decoded.count == 1)
        let resources = try #require(decoded[0]["resources"] as? [[String: Any]])
        try #require(resources.count == 2)
        #expect(resources[0]["attributes"] as? [String: String] == ["service.name": "telegen", "k8s.node.name": "node-1"])
        #expect(resources[1]["attributes"] as? [String: String] == ["service.name": "payments", "k8s.node.name": "node-1", "k8s.pod.name": "payments-0"])
        #expect((resources[0]["scopes"] as? [[String: Any]])?.first?["name"] as? String == "telegen.node")
        #expect((resources[1]["scopes"] as? [[String: Any]])?.first?["name"] as? String == "telegen.apps")

        let nodeMetric = try #require(metrics(decoded[0], resource: 0).first)
        #expect((nodeMetric["metadata"] as? [String: String])?["telegen.signal.category"] == "Node Metrics")
        let appMetric = try #require(metrics(decoded[0], resource: 1).first)
        #expect(appMetric["kind"] as? String == "sum")
        #expect(appMetric["temporality"] as? Int == 2)  // the app resource is cumulative though the agent's is delta
        #expect(appMetric["monotonic"] as? Bool == true)
        let metadata = try #require(appMetric["metadata"] as? [String: String])
        #expect(metadata["telegen.signal.category"] == "Application")
        #expect(metadata["telegen.signal.subcategory"] == "payments")
        #expect(metadata["telegen.collector.type"] == "scrape")
        let point = try #require((appMetric["points"] as? [[String: Any]])?.first)
        #expect(point["time"] as? Int == 2_000)
        #expect(point["start"] as? Int == 100)
        #expect(point["value"] as? String == "12.0")
    }

    @Test func manyResourcesStayWithinTheRequestLimit() throws {
        let limit = 2_048
        let histogram = HistogramValue(bounds: [0.1, 1, 10], bucketCounts: [1, 2, 3, 4], count: 10, sum: 20)
        let requests = encode({ encoder in
            for target in 0..<40 {
                encoder.beginResource(Self.agent.merging([("service.instance.id", "10.0.0.\(target):8080")]), temporality: .cumulative)
                encoder.beginScope(OTLPScope(name: "telegen.apps", version: "1"), timeUnixNano: 1_000)
                var stream = MetricFamiliesStream([
                    MetricFamily(name: "requests", help: "", type: .histogram, series: (0..<3).map {
                        Series(labels: LabelSet(names: ["target", "n"], values: ["\(target)", "\($0)"]), distribution: .histogram(histogram),
                               startTimeUnixNano: 1)
                    }),
                    MetricFamily(name: "up", help: "", type: .gauge, series: [Series(value: 1)]),
                ])
                stream.render(into: &encoder)
            }
        }, maximumRequestBytes: limit)
        #expect(requests.count > 5)
        #expect(requests.allSatisfy { $0.bytes.count <= limit })
        var seen: [String: Int] = [:]
        for request in try decode(requests) {
            for resource in request["resources"] as? [[String: Any]] ?? [] {
                let instance = try #require((resource["attributes"] as? [String: String])?["service.instance.id"])
                for scope in resource["scopes"] as? [[String: Any]] ?? [] {
                    for metric in scope["metrics"] as? [[String: Any]] ?? [] {
                        for point in metric["points"] as? [[String: Any]] ?? [] {
                            // Every point is under its own target's resource.
                            if let target = (point["attributes"] as? [String: String])?["target"] {
                                #expect(instance == "10.0.0.\(target):8080")
                            }
                            seen[instance, default: 0] += 1
                        }
                    }
                }
            }
        }
        #expect(seen.count == 40)
        #expect(seen.values.allSatisfy { $0 == 4 })
        #expect(requests.reduce(0) { $0 + $1.points } == 160)
    }

    /// A request closed anywhere (in the middle of a family, between scopes, between
    /// resources) carries exactly what one request would: the same points in the same
    /// order, each under the same resource, scope and metric fields.
    @Test func splitRequestsCarryWhatOneRequestCarries() throws {
        let histogram = HistogramValue(bounds: [0.5, 5], bucketCounts: [3, 2, 1], count: 6, sum: 9.5)
        let body: (inout OTLPMetricsStreamEncoder) -> Void = { encoder in
            for target in 0..<3 {
                encoder.beginResource(Self.agent.merging([("service.instance.id", "target-\(target)")]), temporality: .cumulative)
                for scope in ["telegen.apps", "telegen.other"] {
                    encoder.beginScope(OTLPScope(name: scope, version: "1"), timeUnixNano: 1_000 + UInt64(target))
                    var stream = MetricFamiliesStream([
                        MetricFamily(name: "requests_total", help: "Requests.", type: .counter, unit: "1", series: (0..<40).map {
                            Series(labels: LabelSet(names: ["path", "code"], values: ["/p\($0)", $0 % 3 == 0 ? "" : "200"]),
                                   value: Double($0), startTimeUnixNano: 7)
                        }),
                        MetricFamily(name: "latency", help: "", type: .histogram, series: (0..<5).map {
                            Series(labels: LabelSet(names: ["n"], values: ["\($0)"]), distribution: .histogram(histogram), startTimeUnixNano: 1)
                        }),
                        MetricFamily(name: "up", help: "Up.", type: .gauge, series: [Series(value: 1)]),
                    ])
                    stream.render(into: &encoder)
                }
            }
        }
        // One line per point: its resource, scope and metric (without their children)
        // and the point itself, in order.
        func lines(_ requests: [OTLPMetricsStreamEncoder.EncodedRequest]) throws -> [String] {
            func json(_ object: [String: Any], without key: String) throws -> String {
                var object = object
                object[key] = nil
                return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
            }
            var lines: [String] = []
            for request in try decode(requests) {
                for resource in request["resources"] as? [[String: Any]] ?? [] {
                    for scope in resource["scopes"] as? [[String: Any]] ?? [] {
                        for metric in scope["metrics"] as? [[String: Any]] ?? [] {
                            for point in metric["points"] as? [[String: Any]] ?? [] {
                                lines.append(try [json(resource, without: "scopes"), json(scope, without: "metrics"),
                                                  json(metric, without: "points"), json(point, without: "")].joined(separator: " | "))
                            }
                        }
                    }
                }
            }
            return lines
        }
        let whole = encode(body)
        #expect(whole.count == 1)
        let expected = try lines(whole)
        #expect(expected.count == 3 * 2 * 46)
        for limit in [700, 1_500, 4_000] {
            let split = encode(body, maximumRequestBytes: limit)
            #expect(split.count > 1 && split.allSatisfy { $0.bytes.count <= limit }, "limit \(limit)")
            #expect(split.reduce(0) { $0 + $1.points } == expected.count)
            #expect(try lines(split) == expected, "limit \(limit)")
        }
    }

    @Test func aPointOfTheWrongKindIsCountedNotWritten() throws {
        var encoder = OTLPMetricsStreamEncoder(resource: Self.agent)
        encoder.beginScope(OTLPScope(name: "s", version: ""), timeUnixNano: 1)
        encoder.beginFamily(FamilyHeader(name: "h", help: "", type: .histogram))
        encoder.sample(SampleLabels(), value: 1, startTimeUnixNano: nil)
        encoder.beginFamily(FamilyHeader(name: "g", help: "", type: .gauge))
        encoder.distribution(SampleLabels(), .summary(SummaryValue(quantiles: [], count: 1, sum: 1)), startTimeUnixNano: nil, timeUnixNano: 0)
        encoder.finish()
        #expect(encoder.mismatchedPoints == 2)
        #expect(encoder.takeRequests().isEmpty)
    }
}
