/// One series of a scraped family (a histogram or summary is one point for all its lines).
public struct ScrapedPoint: Sendable, Hashable {
    /// Without `le`/`quantile`, in exposition order.
    public var labels: [ScrapedLabel]
    public var value: ScrapedValue
    /// Milliseconds since the epoch (OpenMetrics seconds converted), nil when absent.
    public var timestampMilliseconds: Int64?
    /// From `<name>_created` (OpenMetrics, or text from client libraries).
    public var createdSeconds: Double?

    public init(labels: [ScrapedLabel], value: ScrapedValue, timestampMilliseconds: Int64? = nil, createdSeconds: Double? = nil) {
        self.labels = labels
        self.value = value
        self.timestampMilliseconds = timestampMilliseconds
        self.createdSeconds = createdSeconds
    }
}
