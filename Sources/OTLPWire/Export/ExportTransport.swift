/// How an `OTLPExporter` puts one batch on the wire: gRPC (`GRPCTransport`) or
/// OTLP/HTTP (`OTLPHTTPTransport`). The queue, the spool, retries, partial success and
/// the statistics stay in the exporter; a transport only sends and classifies.
///
/// Requirements:
/// - `send` sends `batch.message` (an Export*ServiceRequest of `batch.signal`) once,
///   never throws, and returns within the transport's timeout, connection included;
///   every way it can end is an `ExportAttempt`, so the exporter can count it.
/// - `send` may be called again after any outcome (the exporter retries through the
///   same transport), never concurrently: the exporter sends one batch at a time.
/// - `shutdown` is called once, when the exporter closes; it releases connections and
///   anything else the transport holds, and a `send` after it fails rather than hangs.
public protocol ExportTransport: Sendable {
    /// `grpc` or `http/protobuf`, the configuration's name, for log lines.
    var name: String { get }
    func send(_ batch: ExportBatch) async -> ExportAttempt
    func shutdown() async
}
