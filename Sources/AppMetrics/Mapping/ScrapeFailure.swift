/// Why a scrape produced no exposition. `reason` is short and fit for a label value
/// (`refused`, `timeout`, `http_status`, `body_too_large`, `parse:<parser reason>`);
/// `message` is for logs.
public struct ScrapeFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String
    public var message: String

    public init(reason: String, message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { "\(reason): \(message)" }
}
