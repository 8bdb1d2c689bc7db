/// The value of one scraped point: a single number, or a histogram/summary assembled from
/// its `_bucket`/quantile, `_count` and `_sum` series.
public enum ScrapedValue: Sendable, Hashable {
    /// Counter (its `_total`), gauge, unknown/untyped, info (1), stateset.
    case number(Double)
    /// Buckets sorted by bound, +Inf last. `count`/`sum` nil when the exposition omitted them.
    case histogram(buckets: [HistogramBucket], count: Double?, sum: Double?)
    /// `count`/`sum` nil when the exposition omitted them.
    case summary(quantiles: [SummaryQuantile], count: Double?, sum: Double?)
}
