import TelemetryModel
import Testing

/// Histograms and summaries in the Prometheus exposition, written as Prometheus
/// writes them, and kept whole by the collecting sink.
struct DistributionExpositionTests {
    private let histogram = MetricFamily(name: "latency_seconds", help: "Latency.", type: .histogram, series: [
        Series(labels: LabelSet(names: ["route"], values: ["/a\"b"]),
               distribution: .histogram(HistogramValue(bounds: [0.1, 1], bucketCounts: [2, 3, 4], count: 9, sum: 4.5)), startTimeUnixNano: 1),
        Series(labels: .empty, distribution: .histogram(HistogramValue(bounds: [], bucketCounts: [1], count: 1, sum: nil)), startTimeUnixNano: 1),
    ])
    private let summary = MetricFamily(name: "rpc_seconds", help: "RPC.", type: .summary, series: [
        Series(labels: LabelSet(names: ["method"], values: ["get"]),
               distribution: .summary(SummaryValue(quantiles: [.init(quantile: 0.5, value: 0.2), .init(quantile: 0.99, value: .nan)],
                                                   count: 7, sum: 3.5)), startTimeUnixNano: 1),
    ])

    @Test func histogramsAndSummariesAreWrittenAsPrometheusDoes() {
        let text = String(decoding: ExpositionEncoder(format: .prometheusText).encode([histogram, summary]), as: UTF8.self)
        #expect(text == """
            # HELP latency_seconds Latency.
            # TYPE latency_seconds histogram
            latency_seconds_bucket{route="/a\\"b",le="0.1"} 2
            latency_seconds_bucket{route="/a\\"b",le="1"} 5
            latency_seconds_bucket{route="/a\\"b",le="+Inf"} 9
            latency_seconds_sum{route="/a\\"b"} 4.5
            latency_seconds_count{route="/a\\"b"} 9
            latency_seconds_bucket{le="+Inf"} 1
            latency_seconds_count 1
            # HELP rpc_seconds RPC.
            # TYPE rpc_seconds summary
            rpc_seconds{method="get",quantile="0.5"} 0.2
            rpc_seconds{method="get",quantile="0.99"} NaN
            rpc_seconds_sum{method="get"} 3.5
            rpc_seconds_count{method="get"} 7

            """)
        let openMetrics = String(decoding: ExpositionEncoder(format: .openMetrics).encode([summary]), as: UTF8.self)
        #expect(openMetrics.hasPrefix("# HELP rpc_seconds RPC.\n# TYPE rpc_seconds summary\n"))
        #expect(openMetrics.hasSuffix("rpc_seconds_count{method=\"get\"} 7\n# EOF\n"))
    }

    @Test func theCollectingSinkKeepsDistributionsAndPointTimes() {
        let timed = MetricFamily(name: "g", help: "", type: .gauge, series: [Series(labels: .empty, value: 2, startTimeUnixNano: nil, timeUnixNano: 77)])
        var sink = CollectingSink()
        var stream = MetricFamiliesStream([histogram, summary, timed])
        stream.render(into: &sink)
        #expect(sink.families == [histogram, summary, timed])
    }

    @Test func cumulativeCountsRunThroughTheBuckets() {
        #expect(HistogramValue(bounds: [1, 2], bucketCounts: [1, 0, 5], count: 6, sum: nil).cumulativeCounts == [1, 1, 6])
        // Absurd counts wrap rather than trap.
        #expect(HistogramValue(bounds: [1], bucketCounts: [.max, 2], count: 1, sum: nil).cumulativeCounts == [.max, 1])
    }
}
