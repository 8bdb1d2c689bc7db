/// A parsed body: its families in exposition order.
public struct ScrapedExposition: Sendable, Hashable {
    public var families: [ScrapedFamily]
    /// Samples as Prometheus counts them (each bucket/sum/count/created line is one).
    public var sampleCount: Int

    public init(families: [ScrapedFamily], sampleCount: Int) {
        self.families = families
        self.sampleCount = sampleCount
    }
}
