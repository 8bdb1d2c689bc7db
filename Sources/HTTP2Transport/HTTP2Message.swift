/// One HTTP/2 request. Header names must be lowercase (HTTP/2 requires it).
public struct HTTP2Request: Sendable {
    public var method: String
    /// Path and query; the endpoint's path prefix is put in front.
    public var path: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// The whole exchange, connection included, must finish within this.
    public var timeout: Duration
    /// A larger response body is refused (the stream is reset).
    public var maximumResponseBytes: Int
    /// A stream that has received nothing (no HEADERS, no DATA) for this long fails
    /// with `.idleTimedOut` and is reset, without retiring its connection: a live
    /// connection (PINGs answered) can carry a stream its server stopped feeding, such
    /// as a watch that never ends. Nil: only `timeout` bounds the exchange.
    public var idleTimeout: Duration?

    public init(method: String = "POST", path: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
                timeout: Duration = .seconds(10), maximumResponseBytes: Int = 4 << 20, idleTimeout: Duration? = nil) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.maximumResponseBytes = maximumResponseBytes
        self.idleTimeout = idleTimeout
    }
}

/// A complete response: headers, body and trailers.
public struct HTTP2Response: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    public var trailers: [(name: String, value: String)]

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8], trailers: [(name: String, value: String)]) {
        self.status = status
        self.headers = headers
        self.body = body
        self.trailers = trailers
    }

    public func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }
    public func trailer(_ name: String) -> String? { trailers.first { $0.name == name }?.value }
}

/// A streamed response, for long-lived requests such as Kubernetes watches.
public enum HTTP2ResponsePart: Sendable {
    case head(status: Int, headers: [(name: String, value: String)])
    case body([UInt8])
    case trailers([(name: String, value: String)])
}

/// Why an exchange failed. `isSafeToRetry` says whether the server can have seen
/// the request (a retry could then duplicate it).
public enum HTTP2Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// DNS, TCP or TLS failed: nothing was sent.
    case connectFailed(String)
    /// The connection broke while the request was in flight.
    case connectionLost(String)
    /// The server reset the stream with this HTTP/2 error code.
    case streamReset(code: UInt32)
    /// The server refused the stream unprocessed (REFUSED_STREAM, or above GOAWAY's last id) too often.
    case refused
    case timedOut
    /// The stream received nothing for its request's `idleTimeout` (its connection stays).
    case idleTimedOut
    /// The caller gave up: its task was cancelled, or it stopped reading a streamed response.
    case cancelled
    case responseTooLarge(limit: Int)
    case protocolViolation(String)
    case shutDown

    public var description: String {
        switch self {
        case .connectFailed(let reason): "connect failed: \(reason)"
        case .connectionLost(let reason): "connection lost: \(reason)"
        case .streamReset(let code): "stream reset by the server (HTTP/2 error \(code))"
        case .refused: "the server refused the stream"
        case .timedOut: "timed out"
        case .idleTimedOut: "received nothing for the idle timeout"
        case .cancelled: "cancelled"
        case .responseTooLarge(let limit): "response larger than \(limit) bytes"
        case .protocolViolation(let reason): "HTTP/2 protocol error: \(reason)"
        case .shutDown: "client shut down"
        }
    }
}
