/// What the HTTP server did to protect itself, counted in the self-metrics
/// (`telegen_http_connections*`, `telegen_http_requests_rejected_total`).
enum HTTPServerEvent: Sendable {
    /// Which deadline closed a connection.
    enum Timeout: String, Sendable, CaseIterable {
        /// A request's line and headers did not arrive within `read_header_timeout`.
        case readHeader = "read_header"
        /// Nothing moved either way for `idle_timeout`.
        case idle
    }

    /// Why a request was answered with an error and its connection closed.
    enum RejectedRequest: String, Sendable, CaseIterable {
        /// Request line and headers over `max_header_bytes` (431).
        case headerTooLarge = "header_too_large"
        /// A request with a body (413): no endpoint takes one.
        case body
        /// Not HTTP/1.x the parser accepts (400).
        case malformed
    }

    case connectionOpened
    case connectionClosed
    /// Closed on accept: `max_connections` were open.
    case connectionRejected
    case timedOut(Timeout)
    case requestRejected(RejectedRequest)
}
