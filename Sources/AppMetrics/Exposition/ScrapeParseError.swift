/// Why a body was rejected. The whole scrape fails, as in Prometheus; `reason` becomes a
/// label of the failure counter, so it is a short fixed word.
public struct ScrapeParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Short, label-safe: "syntax", "invalid_utf8", "duplicate_series", "out_of_order",
    /// "sample_limit", "missing_eof", "invalid_value", "invalid_timestamp", ...
    public var reason: String
    /// 1-based line number of the offending line (0 when not tied to a line).
    public var line: Int
    public var message: String

    public init(reason: String, line: Int, message: String) {
        self.reason = reason
        self.line = line
        self.message = message
    }

    public var description: String { "\(reason) at line \(line): \(message)" }
}
