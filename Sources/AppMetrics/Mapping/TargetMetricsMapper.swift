import TelemetryModel

/// Turns a target's scrape outcomes into its metrics, as the OpenTelemetry
/// Collector's Prometheus receiver does (docs/otlp.md, "Application metrics"), and
/// keeps what that needs between scrapes: when each counter, histogram and summary
/// series started (its `_created`, else the first scrape that saw it, reset to the
/// scrape's time when its value went down).
///
/// Families: counter → counter (a monotonic cumulative Sum; in OpenMetrics named after
/// its `_total` samples), gauge/unknown/info/stateset → gauge, histogram → histogram
/// (per-bucket counts, bounds without `+Inf`), summary → summary, gauge histogram →
/// gauge points per bucket with their `le`. Points keep the exposition's timestamp,
/// else take the scrape's start. Then `up`, `scrape_duration_seconds` and
/// `scrape_samples_scraped`, gauges as Prometheus writes them.
public struct TargetMetricsMapper: Sendable {
    private var states: [ScrapeTarget: SeriesStartTimes] = [:]

    public init() {}

    /// Series whose start times are remembered, over every target (for self-metrics).
    public var trackedSeries: Int { states.values.reduce(0) { $0 + $1.count } }

    /// The target's metrics for one scrape: its resource attributes, and its families
    /// followed by `up`, `scrape_duration_seconds` and `scrape_samples_scraped`. A
    /// failed scrape has only those three (`up` 0); the start times are kept for the
    /// next one.
    public mutating func map(_ outcome: ScrapeOutcome) -> TargetMetrics {
        var families: [MetricFamily] = []
        var dropped: [String: Int] = [:]
        var samples = 0
        if case .success(let exposition) = outcome.result {
            var state = states.removeValue(forKey: outcome.target) ?? SeriesStartTimes()
            state.beginScrape()
            var context = FamilyContext(outcome: outcome)
            for family in exposition.families {
                if let mapped = context.map(family, state: &state) { families.append(mapped) }
            }
            state.endScrape()
            states[outcome.target] = state
            dropped = context.dropped
            samples = exposition.sampleCount
        }
        let up: Double = if case .success = outcome.result { 1 } else { 0 }
        let time = outcome.startUnixNano
        families.append(Self.report("up", "The scraping was successful", unit: "", value: up, time: time))
        families.append(Self.report("scrape_duration_seconds", "Duration of the scrape", unit: "seconds",
                                    value: outcome.duration / .seconds(1), time: time))
        families.append(Self.report("scrape_samples_scraped", "The number of samples the target exposed", unit: "",
                                    value: Double(samples), time: time))
        return TargetMetrics(target: outcome.target, resourceAttributes: Self.resourceAttributes(outcome.target), families: families,
                             timeUnixNano: time, droppedPoints: dropped)
    }

    /// Drops what is kept for `target` (it went away).
    public mutating func forget(_ target: ScrapeTarget) {
        states.removeValue(forKey: target)
    }

    /// The target's resource attributes (docs/otlp.md), those with a value, in this order.
    public static func resourceAttributes(_ target: ScrapeTarget) -> [(key: String, value: String)] {
        let attributes: [(key: String, value: String)] = [
            ("service.name", target.serviceName),
            ("service.instance.id", target.instance),
            ("server.address", target.podIP),
            ("server.port", String(target.port)),
            ("url.scheme", target.scheme),
            ("k8s.namespace.name", target.namespace),
            ("k8s.pod.name", target.podName),
            ("k8s.pod.uid", target.podUID),
            ("k8s.node.name", target.nodeName),
        ]
        return attributes.filter { !$0.value.isEmpty }
    }

    /// One of the gauges Prometheus adds for every scrape, with the Collector
    /// receiver's help and unit.
    private static func report(_ name: String, _ help: String, unit: String, value: Double, time: UInt64) -> MetricFamily {
        MetricFamily(name: name, help: help, type: .gauge, unit: unit,
                     series: [Series(labels: .empty, value: value, startTimeUnixNano: nil, timeUnixNano: time)])
    }
}
