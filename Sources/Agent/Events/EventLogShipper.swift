import EventLogs
import OTLPWire
import Synchronization
import TelemetryModel

/// Event records into the logs exporter: encoded as OTLP logs requests (scope
/// `telegen.events`, the agent's resource), each a batch whose sequence number is the
/// ticket; a ticket is acknowledged once the exporter has settled it.
final class EventLogShipper: EventRecordShipping {
    let exporter: OTLPExporter
    private let encoder: OTLPLogsEncoder
    private let sender = Mutex<Task<Void, Never>?>(nil)

    init(exporter: OTLPExporter, encoder: OTLPLogsEncoder) {
        self.exporter = exporter
        self.encoder = encoder
    }

    /// Starts sending what is queued.
    func start() {
        let exporter = exporter
        sender.withLock { $0 = $0 ?? Task { await exporter.run() } }
    }

    func ship(_ records: [LogRecord]) async -> UInt64 {
        let output = encoder.encode(records)
        if output.oversizedRecords > 0 {
            await exporter.recordDropped(.logs, items: output.oversizedRecords, reason: "oversized")
        }
        var ticket: UInt64 = 0
        for request in output.requests {
            ticket = await exporter.enqueue(ExportBatch(signal: .logs, message: request.bytes, items: request.records))
        }
        return ticket
    }

    func acknowledged() async -> UInt64 {
        await exporter.settledThrough
    }

    /// Leadership ended: what is queued in memory is dropped (counted), the sender keeps
    /// going for what the disk queue holds (covered by the checkpoint already).
    func abandon() async -> UInt64 {
        await exporter.discardUnsettled(reason: "leadership_lost")
    }

    /// Stops the sender (a call in flight completes first), reads what is settled,
    /// then closes the exporter: what is still queued in memory is counted as dropped
    /// at shutdown; the checkpoint does not cover it, so the next start sends it.
    func stop() async -> UInt64 {
        let task = sender.withLock { task in
            defer { task = nil }
            return task
        }
        task?.cancel()
        await task?.value
        let settled = await exporter.settledThrough
        await exporter.close()
        return settled
    }
}
