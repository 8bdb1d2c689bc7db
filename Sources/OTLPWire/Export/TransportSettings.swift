import HTTP2Transport

/// What every transport needs besides where to send: TLS, extra headers,
/// compression, the per-request timeout and the user agent.
public struct TransportSettings: Sendable {
    public var tls: TLSConfiguration
    /// Extra headers (gRPC metadata), lowercase names: authorization, tenant, ...
    public var headers: [(name: String, value: String)]
    public var compression: ExportCompression
    /// Per request, connection included.
    public var timeout: Duration
    public var userAgent: String

    public init(tls: TLSConfiguration = TLSConfiguration(), headers: [(name: String, value: String)] = [],
                compression: ExportCompression = .gzip, timeout: Duration = .seconds(10), userAgent: String) {
        self.tls = tls
        self.headers = headers
        self.compression = compression
        self.timeout = timeout
        self.userAgent = userAgent
    }
}
