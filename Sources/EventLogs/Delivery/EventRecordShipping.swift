import TelemetryModel

/// Where event records go: the agent's OTLP logs exporter. The forwarder moves its
/// checkpoint only over records the shipper has acknowledged.
///
/// Requirements: `ship` queues the records in order and returns a ticket greater than
/// every earlier one; `acknowledged` returns the highest ticket such that the records
/// of every ticket up to it are done with (delivered; or given up, dropped or failed,
/// and counted where the exporter counts them; or stored where a restart resends
/// them). Neither blocks for long: a full queue drops (and counts), it does not wait.
public protocol EventRecordShipping: Sendable {
    func ship(_ records: [LogRecord]) async -> UInt64
    func acknowledged() async -> UInt64
}
