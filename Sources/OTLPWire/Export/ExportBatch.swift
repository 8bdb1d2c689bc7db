/// The two OTLP signals Telegen sends, and where their gRPC services and OTLP/HTTP
/// paths live.
public enum OTLPSignal: String, Sendable, CaseIterable {
    case metrics, logs

    public var grpcPath: String {
        switch self {
        case .metrics: "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export"
        case .logs: "/opentelemetry.proto.collector.logs.v1.LogsService/Export"
        }
    }

    /// The path OTLP/HTTP appends to a base endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT`).
    public var httpPath: String {
        switch self {
        case .metrics: "/v1/metrics"
        case .logs: "/v1/logs"
        }
    }
}

/// One encoded export request waiting to be sent.
public struct ExportBatch: Sendable, Equatable {
    public var signal: OTLPSignal
    /// An ExportMetricsServiceRequest or ExportLogsServiceRequest.
    public var message: [UInt8]
    /// Data points or log records inside.
    public var items: Int

    public init(signal: OTLPSignal, message: [UInt8], items: Int) {
        self.signal = signal
        self.message = message
        self.items = items
    }
}
