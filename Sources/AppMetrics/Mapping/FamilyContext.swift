import TelemetryModel

/// Maps the families of one successful scrape (`TargetMetricsMapper`): the scrape's
/// time and format, and the points left out so far.
struct FamilyContext {
    let time: UInt64
    let format: ScrapeFormat
    private(set) var dropped: [String: Int] = [:]

    init(outcome: ScrapeOutcome) {
        time = outcome.startUnixNano
        format = outcome.format
    }

    mutating func map(_ family: ScrapedFamily, state: inout SeriesStartTimes) -> MetricFamily? {
        switch family.type {
        case .counter:
            // The receiver names a counter after its samples: `_total` in OpenMetrics.
            let name = format == .openMetrics ? family.name + "_total" : family.name
            var mapped = MetricFamily(name: name, help: family.help, type: .counter, unit: family.unit)
            for point in family.points {
                guard case .number(let value) = point.value else { drop("mismatched_value"); continue }
                let labels = Self.labels(point.labels)
                let time = pointTime(point)
                let start = state.start(key: Self.key(name, 0, labels), value: value, sum: 0,
                                        created: Self.nanoseconds(point.createdSeconds), time: time)
                mapped.series.append(Series(labels: labels, value: value, startTimeUnixNano: start, timeUnixNano: time))
            }
            return mapped
        case .gauge, .unknown, .info, .stateSet:
            var mapped = MetricFamily(name: family.name, help: family.help, type: .gauge, unit: family.unit)
            for point in family.points {
                guard case .number(let value) = point.value else { drop("mismatched_value"); continue }
                mapped.series.append(Series(labels: Self.labels(point.labels), value: value, startTimeUnixNano: nil, timeUnixNano: pointTime(point)))
            }
            return mapped
        case .histogram:
            var mapped = MetricFamily(name: family.name, help: family.help, type: .histogram, unit: family.unit)
            for point in family.points {
                guard case .histogram(let buckets, let count, let sum) = point.value else { drop("mismatched_value"); continue }
                guard let count else { drop("histogram_without_count"); continue }
                let histogram = Self.histogram(buckets, count: count, sum: sum)
                let labels = Self.labels(point.labels)
                let time = pointTime(point)
                let start = state.start(key: Self.key(family.name, 1, labels), value: Double(histogram.count), sum: sum ?? 0,
                                        created: Self.nanoseconds(point.createdSeconds), time: time)
                mapped.series.append(Series(labels: labels, distribution: .histogram(histogram), startTimeUnixNano: start, timeUnixNano: time))
            }
            return mapped
        case .summary:
            var mapped = MetricFamily(name: family.name, help: family.help, type: .summary, unit: family.unit)
            for point in family.points {
                guard case .summary(let quantiles, let count, let sum) = point.value else { drop("mismatched_value"); continue }
                guard let count else { drop("summary_without_count"); continue }
                let summary = SummaryValue(
                    quantiles: quantiles.sorted { $0.quantile < $1.quantile }.map { SummaryValue.Quantile(quantile: $0.quantile, value: $0.value) },
                    count: Self.count(count), sum: sum ?? 0)
                let labels = Self.labels(point.labels)
                let time = pointTime(point)
                let start = state.start(key: Self.key(family.name, 2, labels), value: Double(summary.count), sum: summary.sum,
                                        created: Self.nanoseconds(point.createdSeconds), time: time)
                mapped.series.append(Series(labels: labels, distribution: .summary(summary), startTimeUnixNano: start, timeUnixNano: time))
            }
            return mapped
        case .gaugeHistogram:
            // The receiver has no gauge histogram: each bucket is a gauge point with its `le`.
            var mapped = MetricFamily(name: family.name, help: family.help, type: .gauge, unit: family.unit)
            for point in family.points {
                guard case .histogram(let buckets, _, _) = point.value else { drop("mismatched_value"); continue }
                let time = pointTime(point)
                for bucket in buckets {
                    var le: [UInt8] = []
                    GoFloatFormat.append(bucket.upperBound, to: &le)
                    let labels = Self.labels(point.labels + [ScrapedLabel(name: "le", value: String(decoding: le, as: UTF8.self))])
                    mapped.series.append(Series(labels: labels, value: bucket.cumulativeCount, startTimeUnixNano: nil, timeUnixNano: time))
                }
            }
            return mapped
        }
    }

    private mutating func drop(_ reason: String) {
        dropped[reason, default: 0] += 1
    }

    /// The exposition's timestamp, else the scrape's start.
    private func pointTime(_ point: ScrapedPoint) -> UInt64 {
        guard let milliseconds = point.timestampMilliseconds, milliseconds > 0 else { return time }
        let (nanoseconds, overflow) = UInt64(milliseconds).multipliedReportingOverflow(by: 1_000_000)
        return overflow ? time : nanoseconds
    }

    /// A histogram with per-bucket counts. Buckets arrive sorted with `+Inf` last; one
    /// without a `+Inf` bucket gets one holding `count`, as Prometheus' histograms
    /// always do. A bucket below the one before it (a broken exposition) counts 0.
    static func histogram(_ buckets: [HistogramBucket], count: Double, sum: Double?) -> HistogramValue {
        var buckets = buckets
        if buckets.last?.upperBound != .infinity {
            buckets.append(HistogramBucket(upperBound: .infinity, cumulativeCount: count))
        }
        var counts: [UInt64] = []
        counts.reserveCapacity(buckets.count)
        var previous = 0.0
        for bucket in buckets {
            counts.append(Self.count(bucket.cumulativeCount - previous))
            previous = bucket.cumulativeCount
        }
        return HistogramValue(bounds: buckets.dropLast().map(\.upperBound), bucketCounts: counts, count: Self.count(count), sum: sum)
    }

    /// A Prometheus float count as OTLP's unsigned one: negative or NaN is 0, beyond
    /// the range the largest, never a trap.
    static func count(_ value: Double) -> UInt64 {
        guard value > 0 else { return 0 }
        guard value < 18_446_744_073_709_551_616.0 else { return .max }
        return UInt64(value)
    }

    /// `_created` seconds as Unix nanoseconds; nil when absent or not a time.
    static func nanoseconds(_ seconds: Double?) -> UInt64? {
        guard let seconds, seconds > 0, seconds < 18_000_000_000 else { return nil }
        let whole = seconds.rounded(.down)
        return UInt64(whole) * 1_000_000_000 + UInt64((seconds - whole) * 1e9)
    }

    /// The exposition's labels as data point attributes. `job` and `instance` name the
    /// target, so an exposition's own become `exported_job`/`exported_instance`, as
    /// Prometheus renames them.
    static func labels(_ labels: [ScrapedLabel]) -> LabelSet {
        guard !labels.isEmpty else { return .empty }
        return LabelSet(names: labels.map { $0.name == "job" || $0.name == "instance" ? "exported_" + $0.name : $0.name },
                        values: labels.map(\.value))
    }

    /// A series' identity for its start time: family, kind and labels.
    static func key(_ name: String, _ kind: UInt8, _ labels: LabelSet) -> Int {
        var hasher = Hasher()
        hasher.combine(name)
        hasher.combine(kind)
        hasher.combine(labels.names)
        hasher.combine(labels.values)
        return hasher.finalize()
    }
}
