/// One histogram point as OTLP carries it: explicit bucket bounds and a count per
/// bucket (not cumulative, as Prometheus writes them).
///
/// `bucketCounts` has one more entry than `bounds`: bucket `i` holds observations in
/// (`bounds[i-1]`, `bounds[i]`], the last one those above every bound (Prometheus'
/// `+Inf` bucket, whose bound OTLP leaves out).
public struct HistogramValue: Sendable, Hashable {
    public var bounds: [Double]
    public var bucketCounts: [UInt64]
    public var count: UInt64
    /// nil when the source gave no sum (OTLP's `sum` is then absent); NaN is kept.
    public var sum: Double?

    public init(bounds: [Double], bucketCounts: [UInt64], count: UInt64, sum: Double?) {
        self.bounds = bounds
        self.bucketCounts = bucketCounts
        self.count = count
        self.sum = sum
    }

    /// The running totals Prometheus writes as `_bucket{le}` samples, one per bucket
    /// (the last is the `+Inf` bucket). Wrapping, never trapping, on absurd counts.
    public var cumulativeCounts: [UInt64] {
        var total: UInt64 = 0
        return bucketCounts.map { count in
            total &+= count
            return total
        }
    }
}
