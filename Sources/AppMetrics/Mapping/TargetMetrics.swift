import TelemetryModel

/// One target's metrics as the push loop sends them: its own OTLP resource (the
/// agent's resource attributes merged with `resourceAttributes`, these winning) and
/// its families, in the `telegen.apps` scope.
public struct TargetMetrics: Sendable {
    public var target: ScrapeTarget
    /// The target's resource attributes in a fixed order (docs/otlp.md).
    public var resourceAttributes: [(key: String, value: String)]
    public var families: [MetricFamily]
    /// When the scrape that produced these started: the time of points without one.
    public var timeUnixNano: UInt64
    /// Points of the exposition left out, by reason (`histogram_without_count`,
    /// `summary_without_count`): the scraper counts them in its self-metrics.
    public var droppedPoints: [String: Int]

    public init(target: ScrapeTarget, resourceAttributes: [(key: String, value: String)], families: [MetricFamily], timeUnixNano: UInt64,
                droppedPoints: [String: Int] = [:]) {
        self.target = target
        self.resourceAttributes = resourceAttributes
        self.families = families
        self.timeUnixNano = timeUnixNano
        self.droppedPoints = droppedPoints
    }
}
