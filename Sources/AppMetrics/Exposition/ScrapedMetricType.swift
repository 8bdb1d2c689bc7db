/// A family's type as its `# TYPE` line names it (`unknown` also for 0.0.4's `untyped`
/// and for samples with no TYPE line).
public enum ScrapedMetricType: String, Sendable, Hashable {
    case counter, gauge, histogram
    case gaugeHistogram = "gaugehistogram"
    case summary, info
    case stateSet = "stateset"
    case unknown
}
