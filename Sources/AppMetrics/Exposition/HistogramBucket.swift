/// One `_bucket` line of a scraped histogram: its `le` bound and the cumulative count.
public struct HistogramBucket: Sendable, Hashable {
    public var upperBound: Double
    public var cumulativeCount: Double

    public init(upperBound: Double, cumulativeCount: Double) {
        self.upperBound = upperBound
        self.cumulativeCount = cumulativeCount
    }
}
