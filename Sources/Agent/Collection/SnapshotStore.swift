import TelemetryModel
import Synchronization

/// The latest families of every collector. Collectors publish after each cycle;
/// scrapes and the OTLP push read from here and never trigger a collection.
final class SnapshotStore: Sendable {
    struct Snapshot: Sendable {
        /// Rendered anew by each scrape and push.
        var source: any FamilySource
        /// Wall-clock time of the collection, Unix nanoseconds.
        var collectedAtUnixNano: UInt64
    }

    private let snapshots = Mutex<[String: Snapshot]>([:])

    func publish(_ source: any FamilySource, from collector: String, at unixNano: UInt64) {
        let snapshot = Snapshot(source: source, collectedAtUnixNano: unixNano)
        snapshots.withLock { $0[collector] = snapshot }
    }

    func snapshot(of collector: String) -> Snapshot? {
        snapshots.withLock { $0[collector] }
    }

    /// Collectors that have published at least once.
    var completed: Set<String> {
        snapshots.withLock { Set($0.keys) }
    }
}
