/// One summary point: quantiles over the source's own window, and the count and sum
/// of every observation since the summary started.
public struct SummaryValue: Sendable, Hashable {
    public struct Quantile: Sendable, Hashable {
        /// In [0, 1].
        public var quantile: Double
        public var value: Double

        public init(quantile: Double, value: Double) {
            self.quantile = quantile
            self.value = value
        }
    }

    public var quantiles: [Quantile]
    public var count: UInt64
    public var sum: Double

    public init(quantiles: [Quantile], count: UInt64, sum: Double) {
        self.quantiles = quantiles
        self.count = count
        self.sum = sum
    }
}
