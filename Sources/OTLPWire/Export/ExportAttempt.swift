/// What one attempt to send a batch came to, as a transport reports it to the
/// exporter. The exporter decides everything else (retry timing, counting, logging)
/// the same way for every transport.
public struct ExportAttempt: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        /// The backend accepted the request; `response` is the Export*ServiceResponse
        /// bytes (possibly empty), read for a partial success.
        case success(response: [UInt8])
        /// Worth sending again: the backend or the network failed transiently. `delay`
        /// is what the server asked for (gRPC RetryInfo, HTTP Retry-After), nil to
        /// leave it to the retry policy's backoff.
        case retryable(delay: Duration?)
        /// Sending the same bytes again cannot succeed.
        case permanent
    }

    public var outcome: Outcome
    /// The `status` label of `telegen_exporter_requests_total`: the gRPC status name
    /// (`OK`, `UNAVAILABLE`) or the HTTP status code (`200`, `503`), or what kept a
    /// request from getting one (`timeout`, `connection_error`).
    public var status: String
    /// Why it failed, for the log line: the server's message or the transport's error.
    public var reason: String

    public init(outcome: Outcome, status: String, reason: String = "") {
        self.outcome = outcome
        self.status = status
        self.reason = reason
    }
}
