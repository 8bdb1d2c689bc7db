/// One quantile line of a scraped summary.
public struct SummaryQuantile: Sendable, Hashable {
    public var quantile: Double
    public var value: Double

    public init(quantile: Double, value: Double) {
        self.quantile = quantile
        self.value = value
    }
}
