/// The request a scrape sends, as Prometheus sends it (its `scrape.go`): an `Accept`
/// that prefers OpenMetrics 1.0.0 and takes the text format 0.0.4, gzip, and the
/// timeout in `X-Prometheus-Scrape-Timeout-Seconds` so that an exporter can bound its
/// own work.
enum ScrapeRequest {
    /// Prometheus' `acceptHeader` for `scrape_protocols: [OpenMetricsText1.0.0,
    /// PrometheusText0.0.4]`: weights count down from 0.5, then anything at all.
    static let accept = "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.3"
    static let acceptEncoding = "gzip"

    /// `strconv.FormatFloat(timeout.Seconds(), 'f', -1, 64)`: `10`, `2.5`, `0.25`.
    static func timeoutHeader(_ timeout: Duration) -> String {
        let components = timeout.components
        let milliseconds = components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
        let whole = milliseconds / 1000, fraction = milliseconds % 1000
        guard fraction != 0 else { return String(whole) }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 3 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }

    static func url(for target: ScrapeTarget) -> String {
        "\(target.scheme)://\(target.instance)\(target.path)"
    }
}
