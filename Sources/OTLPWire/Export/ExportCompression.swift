/// Whether request bodies are gzipped: `grpc-encoding: gzip` on gRPC,
/// `Content-Encoding: gzip` on OTLP/HTTP.
public enum ExportCompression: Sendable {
    case none, gzip
}
