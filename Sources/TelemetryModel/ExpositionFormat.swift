/// The two pull formats Telegen serves.
public enum ExpositionFormat: Sendable, Hashable {
    /// Prometheus text format 0.0.4, the default.
    case prometheusText
    /// OpenMetrics 1.0.0, chosen when the scraper's `Accept` header asks for it.
    case openMetrics

    public var contentType: String {
        switch self {
        case .prometheusText: "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8"
        }
    }
}
