import AppMetrics
import TelemetryModel
import Testing

/// `TargetMetricsMapper`: a scrape outcome to a target's metrics, as the Collector's
/// Prometheus receiver maps them (docs/otlp.md, "Application metrics").
struct MappingTests {
    private static let target = ScrapeTarget(podName: "payments-0", podUID: "uid-1", namespace: "shop", nodeName: "node-1",
                                             serviceName: "payments", podIP: "10.1.2.3", port: 9090)
    private static let second: UInt64 = 1_000_000_000

    private func outcome(_ families: [ScrapedFamily], at time: UInt64, samples: Int = 1, format: ScrapeFormat = .prometheusText,
                         target: ScrapeTarget = target) -> ScrapeOutcome {
        ScrapeOutcome(target: target, startUnixNano: time, duration: .milliseconds(250),
                      result: .success(ScrapedExposition(families: families, sampleCount: samples)), format: format)
    }

    private func counter(_ value: Double, created: Double? = nil, labels: [ScrapedLabel] = [], name: String = "requests_total") -> ScrapedFamily {
        ScrapedFamily(name: name, type: .counter, help: "Requests.",
                      points: [ScrapedPoint(labels: labels, value: .number(value), createdSeconds: created)])
    }

    private func family(_ metrics: TargetMetrics, _ name: String) -> MetricFamily? {
        metrics.families.first { $0.name == name }
    }

    @Test func counterStartsAtItsCreatedTime() throws {
        var mapper = TargetMetricsMapper()
        let metrics = mapper.map(outcome([counter(5, created: 1_700_000_000.25)], at: 1_800_000_000 * Self.second))
        let series = try #require(family(metrics, "requests_total")?.series.first)
        #expect(family(metrics, "requests_total")?.type == .counter)
        #expect(series.startTimeUnixNano == 1_700_000_000 * Self.second + 250_000_000)
        #expect(series.timeUnixNano == 1_800_000_000 * Self.second)
        #expect(series.value == 5)
    }

    @Test func counterWithoutCreatedStartsAtItsFirstScrape() throws {
        var mapper = TargetMetricsMapper()
        let labels = [ScrapedLabel(name: "code", value: "200")]
        let first = mapper.map(outcome([counter(5, labels: labels)], at: 10 * Self.second))
        let second = mapper.map(outcome([counter(9, labels: labels)], at: 20 * Self.second))
        #expect(family(first, "requests_total")?.series.first?.startTimeUnixNano == 10 * Self.second)
        #expect(family(second, "requests_total")?.series.first?.startTimeUnixNano == 10 * Self.second)
        #expect(family(second, "requests_total")?.series.first?.timeUnixNano == 20 * Self.second)
        // Another label set is another series, with a start of its own.
        let third = mapper.map(outcome([counter(9, labels: labels), counter(1, labels: [ScrapedLabel(name: "code", value: "500")])],
                                       at: 30 * Self.second))
        let starts = third.families.filter { $0.name == "requests_total" }.compactMap { $0.series.first?.startTimeUnixNano }
        #expect(starts == [10 * Self.second, 30 * Self.second])
    }

    @Test func aCounterThatWentDownRestartsAtThatScrape() throws {
        var mapper = TargetMetricsMapper()
        _ = mapper.map(outcome([counter(50)], at: 10 * Self.second))
        _ = mapper.map(outcome([counter(60)], at: 20 * Self.second))
        let reset = mapper.map(outcome([counter(3)], at: 30 * Self.second))
        #expect(family(reset, "requests_total")?.series.first?.startTimeUnixNano == 30 * Self.second)
        let after = mapper.map(outcome([counter(4)], at: 40 * Self.second))
        #expect(family(after, "requests_total")?.series.first?.startTimeUnixNano == 30 * Self.second)
    }

    @Test func histogramsBecomePerBucketCountsAndResetOnALowerCount() throws {
        func histogram(_ cumulative: [(Double, Double)], count: Double?, sum: Double?) -> ScrapedFamily {
            ScrapedFamily(name: "latency_seconds", type: .histogram, help: "Latency.", points: [
                ScrapedPoint(labels: [ScrapedLabel(name: "route", value: "/")],
                             value: .histogram(buckets: cumulative.map { HistogramBucket(upperBound: $0.0, cumulativeCount: $0.1) },
                                               count: count, sum: sum)),
            ])
        }
        var mapper = TargetMetricsMapper()
        let first = mapper.map(outcome([histogram([(0.1, 2), (1, 5), (.infinity, 9)], count: 9, sum: 4.5)], at: 10 * Self.second))
        let series = try #require(family(first, "latency_seconds")?.series.first)
        #expect(family(first, "latency_seconds")?.type == .histogram)
        #expect(series.distribution == .histogram(HistogramValue(bounds: [0.1, 1], bucketCounts: [2, 3, 4], count: 9, sum: 4.5)))
        #expect(series.startTimeUnixNano == 10 * Self.second)
        #expect(series.labels == LabelSet(names: ["route"], values: ["/"]))

        // No +Inf bucket: it holds the count, as in every Prometheus histogram.
        let second = mapper.map(outcome([histogram([(0.1, 2), (1, 6)], count: 11, sum: 5)], at: 20 * Self.second))
        #expect(family(second, "latency_seconds")?.series.first?.distribution
            == .histogram(HistogramValue(bounds: [0.1, 1], bucketCounts: [2, 4, 5], count: 11, sum: 5)))
        #expect(family(second, "latency_seconds")?.series.first?.startTimeUnixNano == 10 * Self.second)

        // A lower count is a reset.
        let reset = mapper.map(outcome([histogram([(0.1, 1), (.infinity, 1)], count: 1, sum: 0.05)], at: 30 * Self.second))
        #expect(family(reset, "latency_seconds")?.series.first?.startTimeUnixNano == 30 * Self.second)

        // Without a count the receiver has no point to make: dropped and counted.
        let noCount = mapper.map(outcome([histogram([(0.1, 1), (.infinity, 1)], count: nil, sum: 1)], at: 40 * Self.second))
        #expect(family(noCount, "latency_seconds")?.series.isEmpty == true)
        #expect(noCount.droppedPoints == ["histogram_without_count": 1])
    }

    @Test func summariesKeepQuantilesCountAndSum() throws {
        var mapper = TargetMetricsMapper()
        let family = ScrapedFamily(name: "rpc_seconds", type: .summary, help: "RPC.", points: [
            ScrapedPoint(labels: [], value: .summary(quantiles: [SummaryQuantile(quantile: 0.9, value: 2), SummaryQuantile(quantile: 0.5, value: .nan)],
                                                     count: 7, sum: 3.5), createdSeconds: 5),
        ])
        let metrics = mapper.map(outcome([family], at: 10 * Self.second))
        let series = try #require(self.family(metrics, "rpc_seconds")?.series.first)
        guard case .summary(let summary) = series.distribution else { Issue.record("not a summary"); return }
        #expect(summary.quantiles.map(\.quantile) == [0.5, 0.9])
        #expect(summary.quantiles[0].value.isNaN && summary.quantiles[1].value == 2)
        #expect(summary.count == 7 && summary.sum == 3.5)
        #expect(series.startTimeUnixNano == 5 * Self.second)
    }

    @Test func typesNamesTimestampsAndLabelsAsTheReceiverMapsThem() throws {
        var mapper = TargetMetricsMapper()
        let families = [
            ScrapedFamily(name: "jobs", type: .counter, help: "", points: [ScrapedPoint(labels: [], value: .number(2))]),
            ScrapedFamily(name: "temperature", type: .gauge, help: "", points: [
                ScrapedPoint(labels: [ScrapedLabel(name: "instance", value: "x"), ScrapedLabel(name: "job", value: "y")],
                             value: .number(.nan), timestampMilliseconds: 1_234),
            ]),
            ScrapedFamily(name: "build", type: .info, help: "", points: [ScrapedPoint(labels: [ScrapedLabel(name: "version", value: "1")], value: .number(1))]),
            ScrapedFamily(name: "mystery", type: .unknown, help: "", points: [ScrapedPoint(labels: [], value: .number(3))]),
        ]
        let metrics = mapper.map(outcome(families, at: 10 * Self.second, samples: 4, format: .openMetrics))
        // OpenMetrics counters are named after their `_total` samples.
        #expect(metrics.families.map(\.name) == ["jobs_total", "temperature", "build", "mystery", "up", "scrape_duration_seconds",
                                                 "scrape_samples_scraped"])
        #expect(metrics.families.map(\.type) == [.counter, .gauge, .gauge, .gauge, .gauge, .gauge, .gauge])
        let temperature = try #require(family(metrics, "temperature")?.series.first)
        #expect(temperature.value.isNaN)
        #expect(temperature.timeUnixNano == 1_234_000_000)
        #expect(temperature.startTimeUnixNano == nil)
        #expect(temperature.labels.names == ["exported_instance", "exported_job"])
        #expect(family(metrics, "scrape_samples_scraped")?.series.first?.value == 4)
        #expect(family(metrics, "scrape_duration_seconds")?.series.first?.value == 0.25)
        #expect(family(metrics, "up")?.series.first?.value == 1)
        #expect(metrics.resourceAttributes.map(\.key) == ["service.name", "service.instance.id", "server.address", "server.port", "url.scheme",
                                                          "k8s.namespace.name", "k8s.pod.name", "k8s.pod.uid", "k8s.node.name"])
        #expect(metrics.resourceAttributes.map(\.value) == ["payments", "10.1.2.3:9090", "10.1.2.3", "9090", "http", "shop", "payments-0",
                                                            "uid-1", "node-1"])
    }

    @Test func aFailedScrapeIsUpZeroAndNothingElse() throws {
        var mapper = TargetMetricsMapper()
        _ = mapper.map(outcome([counter(5)], at: 10 * Self.second))
        let failed = mapper.map(ScrapeOutcome(target: Self.target, startUnixNano: 20 * Self.second, duration: .milliseconds(1500),
                                              result: .failure(ScrapeFailure(reason: "timeout", message: "no answer in 10s"))))
        #expect(failed.families.map(\.name) == ["up", "scrape_duration_seconds", "scrape_samples_scraped"])
        #expect(failed.families.map { $0.series.first?.value } == [0, 1.5, 0])
        #expect(failed.families.allSatisfy { $0.series.first?.timeUnixNano == 20 * Self.second })
        // The series' start survives the failure.
        let next = mapper.map(outcome([counter(7)], at: 30 * Self.second))
        #expect(family(next, "requests_total")?.series.first?.startTimeUnixNano == 10 * Self.second)
    }

    @Test func forgettingATargetDropsItsStartTimes() throws {
        var mapper = TargetMetricsMapper()
        let other = ScrapeTarget(podName: "web-0", podUID: "uid-2", namespace: "shop", nodeName: "node-1", serviceName: "web",
                                 podIP: "10.1.2.4", port: 8080)
        _ = mapper.map(outcome([counter(5)], at: 10 * Self.second))
        _ = mapper.map(outcome([counter(5)], at: 10 * Self.second, target: other))
        #expect(mapper.trackedSeries == 2)
        mapper.forget(Self.target)
        #expect(mapper.trackedSeries == 1)
        // Seen again: a new first observation, not the old start.
        let again = mapper.map(outcome([counter(6)], at: 50 * Self.second))
        #expect(family(again, "requests_total")?.series.first?.startTimeUnixNano == 50 * Self.second)
        let kept = mapper.map(outcome([counter(6)], at: 50 * Self.second, target: other))
        #expect(family(kept, "requests_total")?.series.first?.startTimeUnixNano == 10 * Self.second)
    }

    @Test func seriesMissingFromAScrapeAreForgotten() throws {
        var mapper = TargetMetricsMapper()
        _ = mapper.map(outcome([counter(5)], at: 10 * Self.second))
        _ = mapper.map(outcome([], at: 20 * Self.second))
        #expect(mapper.trackedSeries == 0)
        let back = mapper.map(outcome([counter(8)], at: 30 * Self.second))
        #expect(family(back, "requests_total")?.series.first?.startTimeUnixNano == 30 * Self.second)
    }

    @Test func anIPv6InstanceIsBracketed() {
        let target = ScrapeTarget(podName: "p", podUID: "u", namespace: "n", nodeName: "", serviceName: "s", podIP: "fd00::1", port: 80)
        #expect(target.instance == "[fd00::1]:80")
        #expect(!TargetMetricsMapper.resourceAttributes(target).contains { $0.key == "k8s.node.name" })
    }
}
