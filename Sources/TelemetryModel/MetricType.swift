/// The kind of a metric family, as the exposition formats and OTLP distinguish them.
///
/// `info` and `stateset` exist for OpenMetrics; the Prometheus text format has no such
/// types and writes them as `gauge`, the way kube-state-metrics does. A `histogram`
/// or `summary` family's series carry a `Distribution` (applications' metrics).
public enum MetricType: String, Sendable, Hashable, CaseIterable {
    case gauge
    case counter
    case info
    case stateset
    case histogram
    case summary

    /// The TYPE word in the Prometheus text format 0.0.4.
    public var prometheusTextName: String {
        switch self {
        case .counter: "counter"
        case .gauge, .info, .stateset: "gauge"
        case .histogram: "histogram"
        case .summary: "summary"
        }
    }

    /// The TYPE word in OpenMetrics 1.0.0.
    public var openMetricsName: String { rawValue }
}

/// How settled a family's name and labels are, following Kubernetes' metric stability
/// framework that kube-state-metrics uses for its HELP text.
public enum Stability: Sendable, Hashable {
    case alpha
    case beta
    case stable
    /// Still emitted, scheduled for removal; the version names the release that deprecated it.
    /// A stable family: kube-state-metrics deprecates only those (experimental ones change
    /// without notice), and its HELP keeps the stable mark before the deprecation.
    case deprecated(since: String)

    /// The prefix kube-state-metrics writes in front of the HELP text.
    public var helpPrefix: String {
        switch self {
        case .alpha, .beta: ""
        case .stable: "[STABLE] "
        case .deprecated(let version): "[STABLE] (Deprecated since \(version)) "
        }
    }
}
