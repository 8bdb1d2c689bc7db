/// What one scrape of a target produced: the parsed exposition, or why there is none.
public struct ScrapeOutcome: Sendable {
    public var target: ScrapeTarget
    /// When the scrape started (Unix nanoseconds): the time of points that carry no
    /// timestamp of their own, and the start of counters first seen in this scrape.
    public var startUnixNano: UInt64
    /// How long the scrape took, for `scrape_duration_seconds`.
    public var duration: Duration
    public var result: Result<ScrapedExposition, ScrapeFailure>
    /// The format the body was parsed as: an OpenMetrics counter's samples are named
    /// `<family>_total`, and its OTLP metric is named after them, as the Collector's
    /// receiver names it.
    public var format: ScrapeFormat

    public init(target: ScrapeTarget, startUnixNano: UInt64, duration: Duration, result: Result<ScrapedExposition, ScrapeFailure>,
                format: ScrapeFormat = .prometheusText) {
        self.target = target
        self.startUnixNano = startUnixNano
        self.duration = duration
        self.result = result
        self.format = format
    }
}
