/// When to try a failed export again: exponential backoff with jitter, as the OTLP
/// exporter specification requires; the defaults are the OpenTelemetry Collector's.
public struct RetryPolicy: Sendable, Equatable {
    public var initialInterval: Duration
    public var multiplier: Double
    public var maximumInterval: Duration
    /// After this long since the first attempt, the batch is given up.
    public var maximumElapsedTime: Duration
    /// Each delay is drawn uniformly from ±this fraction around the nominal one.
    public var randomizationFactor: Double

    public init(initialInterval: Duration = .seconds(5), multiplier: Double = 1.5, maximumInterval: Duration = .seconds(30),
                maximumElapsedTime: Duration = .seconds(300), randomizationFactor: Double = 0.5) {
        self.initialInterval = initialInterval
        self.multiplier = multiplier
        self.maximumInterval = maximumInterval
        self.maximumElapsedTime = maximumElapsedTime
        self.randomizationFactor = randomizationFactor
    }

    /// The wait before retry number `attempt` (1 for the first retry); `random` in [0, 1).
    public func delay(beforeRetry attempt: Int, random: Double) -> Duration {
        var nominal = initialInterval
        for _ in 1..<max(attempt, 1) {
            nominal = min(nominal * multiplier, maximumInterval)
        }
        let spread = randomizationFactor * (2 * random - 1)
        return nominal * (1 + spread)
    }

    /// Whether OTLP's rules allow retrying a call that ended with `status`: transient
    /// codes, and RESOURCE_EXHAUSTED only when the server sent RetryInfo.
    public static func isRetryable(_ status: GRPCStatus) -> Bool {
        switch status.code {
        case .cancelled, .deadlineExceeded, .aborted, .outOfRange, .unavailable, .dataLoss: true
        case .resourceExhausted: status.retryDelay != nil
        default: false
        }
    }
}
