import TelemetryModel

/// Where event records go: the agent's OTLP logs exporter. The forwarder moves its
/// checkpoint only over records the shipper has acknowledged.
///
/// Requirements: `ship` queues the records in order and returns a ticket that
/// `acknowledged` reaches once they are done with, and that is no smaller than any
/// earlier ticket (0: nothing to wait for); `acknowledged` returns the highest ticket
/// such that the records of every ticket up to it are done with (delivered; or given
/// up, dropped or failed, and counted where the exporter counts them; or stored where
/// a restart resends them). Neither blocks for long: a full queue drops (and counts),
/// it does not wait. `stop` ends delivery: nothing more reaches the backend after it
/// returns, and it returns the last acknowledged ticket, read once delivery had
/// stopped and before anything still queued was given up (records given up by
/// stopping are not acknowledged: the next start sends them again). `abandon` is the
/// same without an end: what is queued and not acknowledged is given up (counted) and
/// never sent, and shipping may start again afterwards (leadership lost: the next
/// holder sends those records).
public protocol EventRecordShipping: Sendable {
    func ship(_ records: [LogRecord]) async -> UInt64
    func acknowledged() async -> UInt64
    func stop() async -> UInt64
    func abandon() async -> UInt64
}
