import KubeWatch
import Synchronization
import TelemetryModel

/// What every event stream shares, behind one lock: the dedup state, the rate limit,
/// the records waiting to be shipped, each stream's progress towards its checkpoint,
/// and the counters. The streams' sinks write into it one notification at a time;
/// the forwarder's shipping loop takes the records out and reports acknowledgements.
/// Public for the benchmark that drives it without an API server.
public final class EventIntake: Sendable {
    private struct State: Sendable {
        var delivered: DeliveredEvents
        var limiter: TokenBucket
        var outbox: [LogRecord] = []
        /// The batch the outbox fills; the next one once it is taken.
        var batch: UInt64 = 1
        /// Shipped batches and the tickets the shipper gave them.
        var tickets: [UInt64: UInt64] = [:]
        var progress: [String: StreamProgress] = [:]
        var statistics = EventStatistics()
    }

    let filter: EventFilter
    let mapping: EventRecordMapping
    private let state: Mutex<State>

    public convenience init(filter: EventFilter, mapping: EventRecordMapping, rateLimit: Double) {
        self.init(filter: filter, mapping: mapping, rateLimit: rateLimit, delivered: DeliveredEvents())
    }

    init(filter: EventFilter, mapping: EventRecordMapping, rateLimit: Double, delivered: DeliveredEvents) {
        self.filter = filter
        self.mapping = mapping
        // A second's worth of burst: a spike is smoothed, a flood is cut.
        state = Mutex(State(delivered: delivered, limiter: TokenBucket(rate: rateLimit, burst: max(rateLimit, 1))))
    }

    /// Registers a stream resuming from `resourceVersion` ("" when it starts from now).
    public func open(stream: String, resumingFrom resourceVersion: String) {
        state.withLock { $0.progress[stream] = StreamProgress(resumingFrom: resourceVersion) }
    }

    /// One notification of `stream`: whether it becomes a record, and its place on the
    /// way to the checkpoint.
    func handle(_ notification: WatchEvent, _ event: KubeEvent, stream: String, observedUnixNano: UInt64) {
        state.withLock { state in
            let version = event.metadata.resourceVersion
            let listed = notification == .listed
            let name = switch notification {
            case .listed: "LISTED"
            case .added: "ADDED"
            case .modified: "MODIFIED"
            case .deleted: "DELETED"
            }
            state.statistics.received[name, default: 0] += 1
            var batch: UInt64?
            defer {
                state.progress[stream]?.append(resourceVersion: version, batch: batch, listed: listed)
                state.statistics.tracked = state.delivered.count
            }
            let uid = event.metadata.uid
            if notification == .deleted {
                // Expired from the API server: it will not be updated again.
                state.delivered.forget(uid: uid)
                return
            }
            guard filter.admits(event) else {
                state.statistics.filtered += 1
                return
            }
            let occurrences = event.occurrences
            let last = state.delivered.lastCount(uid: uid)
            var isNew = last.map { occurrences > $0 } ?? true
            if listed, let handled = state.progress[stream]?.handled, !Self.isNewer(version, than: handled) {
                // Seen by the watch before the history expired.
                isNew = false
            }
            guard isNew else {
                state.statistics.deduplicated += 1
                return
            }
            // Counted as delivered even when the limit drops it: a drop is final (and
            // counted), not retried by the next replay.
            state.delivered.record(uid: uid, count: occurrences)
            guard state.limiter.take() else {
                state.statistics.rateLimited += 1
                return
            }
            let isRepeat = notification == .modified || (listed && occurrences > 1) || last != nil
            let record = mapping.record(event, repeat: isRepeat, observedUnixNano: observedUnixNano)
            state.outbox.append(record)
            batch = state.batch
            state.statistics.emitted += 1
            if listed { state.statistics.relisted += 1 }
            state.statistics.lastOccurrenceUnixNano = record.timeUnixNano
            state.statistics.lastObservedUnixNano = observedUnixNano
        }
    }

    /// Everything of `stream` up to `resourceVersion` has been delivered (a bookmark,
    /// or the end of a list).
    func progressed(stream: String, to resourceVersion: String) {
        state.withLock { $0.progress[stream]?.append(resourceVersion: resourceVersion, batch: nil, listed: false) }
    }

    var waiting: Int { state.withLock { $0.outbox.count } }

    /// The records to ship, and the batch they form; the outbox starts the next batch.
    public func takeOutbox() -> (records: [LogRecord], batch: UInt64) {
        state.withLock { state in
            defer {
                state.outbox.removeAll(keepingCapacity: false)
                state.batch += 1
            }
            return (state.outbox, state.batch)
        }
    }

    /// The shipper's ticket for `batch`.
    func shipped(batch: UInt64, ticket: UInt64) {
        state.withLock { $0.tickets[batch] = ticket }
    }

    /// Moves every stream's checkpoint over what the shipper has acknowledged (every
    /// ticket up to `acknowledged`); returns the checkpoints when any moved.
    func acknowledge(through acknowledged: UInt64) -> [String: String]? {
        state.withLock { state in
            let tickets = state.tickets
            var moved = false
            for key in state.progress.keys {
                if state.progress[key]!.advance(settled: { batch in tickets[batch].map { $0 <= acknowledged } ?? false }) { moved = true }
            }
            // Tickets no stream waits for any more.
            let oldest = state.progress.values.compactMap(\.oldestBatch).min() ?? state.batch
            state.tickets = state.tickets.filter { $0.key >= oldest }
            return moved ? state.progress.mapValues(\.checkpoint) : nil
        }
    }

    var checkpoints: [String: String] { state.withLock { $0.progress.mapValues(\.checkpoint) } }

    public var statistics: EventStatistics { state.withLock { $0.statistics } }

    /// Leadership ended with records not yet acknowledged: forgets the outbox, what was
    /// shipped, every stream's progress and the dedup state, since what was not
    /// acknowledged is now the next holder's to send (or this replica's again, from the
    /// Lease's checkpoint, if it leads again: remembering it as delivered would lose it).
    func abandon() {
        state.withLock { state in
            state.outbox.removeAll()
            state.tickets.removeAll()
            state.progress.removeAll()
            state.delivered.forgetAll()
            state.statistics.tracked = 0
        }
    }

    /// Drops dedup entries older than the API server keeps events.
    func expire() {
        state.withLock { state in
            state.delivered.expire()
            state.statistics.tracked = state.delivered.count
        }
    }

    /// Whether `version` is after `other`: resourceVersions compared as numbers (what
    /// they are, and comparable since Kubernetes 1.35); when either is not a number,
    /// newer (the dedup state then decides).
    static func isNewer(_ version: String, than other: String) -> Bool {
        guard let a = UInt64(version), let b = UInt64(other) else { return true }
        return a > b
    }
}
