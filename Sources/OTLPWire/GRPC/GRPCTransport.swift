import HTTP2Transport

/// OTLP/gRPC: each batch is one unary Export call over the project's HTTP/2 client
/// (one connection, `http://` with prior knowledge or `https://` with ALPN h2).
/// Which statuses are retried is OTLP's rule for gRPC (`RetryPolicy.isRetryable`).
public struct GRPCTransport: ExportTransport {
    public var name: String { "grpc" }
    let call: GRPCUnaryCall

    public init(endpoint: HTTP2Endpoint, settings: TransportSettings) throws {
        let client = try HTTP2Client(endpoint: endpoint, tls: settings.tls, connectTimeout: settings.timeout)
        call = GRPCUnaryCall(client: client, compression: settings.compression, timeout: settings.timeout,
                             metadata: settings.headers, userAgent: settings.userAgent)
    }

    public func send(_ batch: ExportBatch) async -> ExportAttempt {
        let result = await call.call(path: batch.signal.grpcPath, message: batch.message)
        return Self.attempt(result)
    }

    public func shutdown() async {
        call.client.shutdown()
    }

    static func attempt(_ result: GRPCUnaryCall.Result) -> ExportAttempt {
        let status = result.status
        let outcome: ExportAttempt.Outcome
        if status.code == .ok {
            outcome = .success(response: result.message ?? [])
        } else if RetryPolicy.isRetryable(status) {
            outcome = .retryable(delay: status.retryDelay)
        } else {
            outcome = .permanent
        }
        return ExportAttempt(outcome: outcome, status: "\(status.code)", reason: status.code == .ok ? "" : "\(status)")
    }
}
