@testable import EventLogs
import Testing

/// One stream's way to its checkpoint: the checkpoint moves to a notification's
/// resourceVersion only once that notification and everything before it is recordless
/// or in a batch the exporter has settled.
struct StreamProgressTests {
    /// `settled` for `advance`: every batch up to `through`.
    private static func settled(through: UInt64) -> (UInt64) -> Bool {
        { $0 <= through }
    }

    @Test func startsAtTheVersionItResumesFrom() {
        let progress = StreamProgress(resumingFrom: "41")
        #expect(progress.checkpoint == "41")
        #expect(progress.handled == "41")
        #expect(progress.pending == 0)
        #expect(progress.oldestBatch == nil)

        let fromNow = StreamProgress(resumingFrom: "")
        #expect(fromNow.checkpoint == "" && fromNow.handled == "")
    }

    @Test func movesOnlyOverSettledBatchesAndEverythingBeforeThem() {
        var progress = StreamProgress(resumingFrom: "10")
        progress.append(resourceVersion: "11", batch: 1, listed: false)
        progress.append(resourceVersion: "12", batch: 2, listed: false)
        progress.append(resourceVersion: "13", batch: 3, listed: false)
        #expect(progress.pending == 3)
        #expect(progress.oldestBatch == 1)

        // Nothing settled: nothing moves.
        var moved = progress.advance(settled: { _ in false })
        #expect(!moved)
        #expect(progress.checkpoint == "10")

        // Batch 2 settled before batch 1: the checkpoint may not pass 11, which waits.
        moved = progress.advance(settled: { $0 == 2 })
        #expect(!moved)
        #expect(progress.checkpoint == "10")
        #expect(progress.pending == 3)

        // Batch 1 settled (and 2 still is): over both, stopping before 3.
        moved = progress.advance(settled: { $0 == 1 || $0 == 2 })
        #expect(moved)
        #expect(progress.checkpoint == "12")
        #expect(progress.pending == 1)
        #expect(progress.oldestBatch == 3)

        moved = progress.advance(settled: Self.settled(through: 3))
        #expect(moved)
        #expect(progress.checkpoint == "13")
        #expect(progress.pending == 0)
        #expect(progress.oldestBatch == nil)

        // Nothing left: advancing again reports no move.
        moved = progress.advance(settled: { _ in true })
        #expect(!moved)
        #expect(progress.checkpoint == "13")
    }

    @Test func recordlessEntriesMoveTheCheckpoint() {
        var progress = StreamProgress(resumingFrom: "5")
        // A DELETED, a filtered event, a duplicate, a bookmark: no record, nothing to wait for.
        progress.append(resourceVersion: "6", batch: nil, listed: false)
        progress.append(resourceVersion: "7", batch: nil, listed: false)
        #expect(progress.oldestBatch == nil)
        let moved = progress.advance(settled: { _ in false })
        #expect(moved)
        #expect(progress.checkpoint == "7")
        #expect(progress.pending == 0)
    }

    @Test func aRecordlessEntryAfterAnUnsettledOneWaitsForIt() {
        var progress = StreamProgress(resumingFrom: "5")
        progress.append(resourceVersion: "6", batch: 1, listed: false)
        progress.append(resourceVersion: "7", batch: nil, listed: false)
        progress.append(resourceVersion: "8", batch: 2, listed: false)
        progress.append(resourceVersion: "9", batch: nil, listed: false)

        var moved = progress.advance(settled: { _ in false })
        #expect(!moved)
        #expect(progress.checkpoint == "5")

        // Batch 1 settled: over 6 and the recordless 7, not over 8.
        moved = progress.advance(settled: Self.settled(through: 1))
        #expect(moved)
        #expect(progress.checkpoint == "7")
        #expect(progress.oldestBatch == 2)

        moved = progress.advance(settled: Self.settled(through: 2))
        #expect(moved)
        #expect(progress.checkpoint == "9")
    }

    @Test func aListedItemNeverBecomesTheCheckpoint() {
        var progress = StreamProgress(resumingFrom: "100")
        // A relist: items in key order, their versions unordered; then the list's version.
        progress.append(resourceVersion: "150", batch: 1, listed: true)
        progress.append(resourceVersion: "120", batch: nil, listed: true)
        progress.append(resourceVersion: "170", batch: 2, listed: true)
        var moved = progress.advance(settled: { _ in true })
        #expect(!moved)
        #expect(progress.checkpoint == "100")
        #expect(progress.pending == 0)

        // The end of the list (`progressed`) is what may be resumed from.
        progress.append(resourceVersion: "180", batch: nil, listed: false)
        moved = progress.advance(settled: { _ in true })
        #expect(moved)
        #expect(progress.checkpoint == "180")
    }

    @Test func aListedItemMergedIntoAWatchedOneKeepsTheWatchedVersion() {
        var progress = StreamProgress(resumingFrom: "1")
        progress.append(resourceVersion: "2", batch: 7, listed: false)
        // Same batch: merged into the previous entry, whose version must stay.
        progress.append(resourceVersion: "99", batch: 7, listed: true)
        #expect(progress.pending == 1)
        let moved = progress.advance(settled: { _ in true })
        #expect(moved)
        #expect(progress.checkpoint == "2")
    }

    @Test func handledIgnoresListedItems() {
        var progress = StreamProgress(resumingFrom: "10")
        progress.append(resourceVersion: "11", batch: nil, listed: false)
        #expect(progress.handled == "11")
        progress.append(resourceVersion: "500", batch: 1, listed: true)
        progress.append(resourceVersion: "3", batch: nil, listed: true)
        #expect(progress.handled == "11")
        progress.append(resourceVersion: "12", batch: 1, listed: false)
        #expect(progress.handled == "12")
        // An entry without a version (nothing to resume from) leaves it too.
        progress.append(resourceVersion: "", batch: nil, listed: false)
        #expect(progress.handled == "12")
    }

    @Test func mergedRunsKeepTheLaterVersion() {
        var progress = StreamProgress(resumingFrom: "0")
        for version in 1...50 { progress.append(resourceVersion: String(version), batch: 1, listed: false) }
        for version in 51...60 { progress.append(resourceVersion: String(version), batch: nil, listed: false) }
        for version in 61...70 { progress.append(resourceVersion: String(version), batch: 2, listed: false) }
        // Three waits, not 70 entries.
        #expect(progress.pending == 3)

        var moved = progress.advance(settled: Self.settled(through: 1))
        #expect(moved)
        #expect(progress.checkpoint == "60")
        moved = progress.advance(settled: Self.settled(through: 2))
        #expect(moved)
        #expect(progress.checkpoint == "70")
    }

    @Test func aRunIsNotMergedIntoEntriesAlreadyPassed() {
        var progress = StreamProgress(resumingFrom: "0")
        progress.append(resourceVersion: "1", batch: 1, listed: false)
        var moved = progress.advance(settled: Self.settled(through: 1))
        #expect(moved)
        #expect(progress.checkpoint == "1")
        // Same batch number as the passed entry: a new wait, not a change to the past.
        progress.append(resourceVersion: "2", batch: 1, listed: false)
        #expect(progress.pending == 1)
        #expect(progress.checkpoint == "1")
        moved = progress.advance(settled: Self.settled(through: 1))
        #expect(moved)
        #expect(progress.checkpoint == "2")
    }

    /// Past 1024 passed entries the queue is compacted; the checkpoint, what is pending
    /// and the oldest batch must read as if it were not.
    @Test func compactionKeepsBehaviour() {
        var progress = StreamProgress(resumingFrom: "0")
        let total: UInt64 = 3000
        // Alternating batches and recordless entries: no two neighbours merge.
        for batch in 1...total {
            progress.append(resourceVersion: String(2 * batch - 1), batch: batch, listed: false)
            progress.append(resourceVersion: String(2 * batch), batch: nil, listed: false)
        }
        #expect(progress.pending == Int(2 * total))
        var acknowledged: UInt64 = 0
        for step: UInt64 in [1, 600, 1100, 1101, 1500, 2047, 2999] {
            acknowledged = step
            let moved = progress.advance(settled: Self.settled(through: acknowledged))
            #expect(moved, "\(step)")
            #expect(progress.checkpoint == String(2 * acknowledged), "\(step)")
            #expect(progress.pending == Int(2 * (total - acknowledged)), "\(step)")
            #expect(progress.oldestBatch == acknowledged + 1, "\(step)")
        }
        // Appending after the compactions keeps the order.
        progress.append(resourceVersion: "7000", batch: total + 1, listed: false)
        var moved = progress.advance(settled: Self.settled(through: total))
        #expect(moved)
        #expect(progress.checkpoint == String(2 * total))
        #expect(progress.oldestBatch == total + 1)
        #expect(progress.pending == 1)
        moved = progress.advance(settled: Self.settled(through: total + 1))
        #expect(moved)
        #expect(progress.checkpoint == "7000")
        #expect(progress.pending == 0)
        #expect(progress.oldestBatch == nil)
    }

    /// One entry at a time, settled at once: the passed entries are compacted away
    /// repeatedly and the newest stays reachable.
    @Test func steadyStreamAcrossManyCompactions() {
        var progress = StreamProgress(resumingFrom: "0")
        for batch in UInt64(1)...5000 {
            progress.append(resourceVersion: String(batch), batch: batch, listed: false)
            progress.append(resourceVersion: String(batch) + "5", batch: nil, listed: false)
            if batch % 7 == 0 {
                let moved = progress.advance(settled: Self.settled(through: batch - 1))
                #expect(moved)
                #expect(progress.checkpoint == String(batch - 1) + "5")
                #expect(progress.pending == 2)
                #expect(progress.oldestBatch == batch)
            }
        }
    }
}
