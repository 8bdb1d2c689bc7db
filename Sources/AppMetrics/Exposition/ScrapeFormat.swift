/// Which exposition format a scraped body is in. Prometheus picks the parser from the
/// response's Content-Type and falls back to the text format when the type is anything
/// else, so `init?(contentType:)` returns nil for unknown types and the caller uses
/// `.prometheusText` (docs/apps.md, "Parsing").
public enum ScrapeFormat: Sendable, Hashable {
    /// Prometheus text format 0.0.4 (`text/plain; version=0.0.4`).
    case prometheusText
    /// OpenMetrics 1.0 text (`application/openmetrics-text`).
    case openMetrics

    /// From a Content-Type header value; nil when it is neither (caller treats as text, as Prometheus does).
    public init?(contentType: String) {
        // Media type is case-insensitive and ends at the first `;` (parameters follow).
        let mediaType = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)
            .first.map { $0.trimmingASCIIWhitespace().lowercased() } ?? ""
        switch mediaType {
        case "application/openmetrics-text": self = .openMetrics
        case "text/plain": self = .prometheusText
        default: return nil
        }
    }
}

extension Substring {
    /// ASCII-only trim, so header parsing needs no Foundation.
    fileprivate func trimmingASCIIWhitespace() -> Substring {
        var s = self[...]
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }
}
