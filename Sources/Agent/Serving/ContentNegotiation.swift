import TelemetryModel

/// Picks the exposition format from a scraper's `Accept` header, as Prometheus'
/// client libraries do: OpenMetrics 1.0.0 when it is acceptable and preferred at
/// least as much as the text format; the text format otherwise.
enum ContentNegotiation {
    static func format(forAccept accept: String?) -> ExpositionFormat {
        guard let accept, !accept.isEmpty else { return .prometheusText }
        var openMetricsQuality = -1.0
        var textQuality = -1.0
        for range in accept.split(separator: ",") {
            let parts = range.split(separator: ";").map { $0.trimmingWhitespace() }
            guard let mediaType = parts.first?.lowercased() else { continue }
            var quality = 1.0
            var version: String?
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingWhitespace() }
                guard pair.count == 2 else { continue }
                switch pair[0].lowercased() {
                case "q": quality = Double(pair[1]) ?? 0
                case "version": version = pair[1]
                default: break
                }
            }
            switch mediaType {
            case "application/openmetrics-text" where version == nil || version == "1.0.0":
                openMetricsQuality = max(openMetricsQuality, quality)
            case "text/plain", "*/*", "text/*":
                textQuality = max(textQuality, quality)
            default:
                break
            }
        }
        return openMetricsQuality > 0 && openMetricsQuality >= textQuality ? .openMetrics : .prometheusText
    }
}

extension ContentNegotiation {
    /// Whether an `Accept-Encoding` header allows gzip: `gzip` (or `x-gzip`, or `*`
    /// when gzip is not named) with a non-zero quality.
    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        var wildcard: Double?
        for coding in header.split(separator: ",") {
            let parts = coding.split(separator: ";").map { $0.trimmingWhitespace() }
            guard let name = parts.first?.lowercased() else { continue }
            var quality = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingWhitespace() }
                if pair.count == 2 && pair[0].lowercased() == "q" { quality = Double(pair[1]) ?? 0 }
            }
            if name == "gzip" || name == "x-gzip" { return quality > 0 }
            if name == "*" { wildcard = quality }
        }
        return (wildcard ?? 0) > 0
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> String {
        var slice = self
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
