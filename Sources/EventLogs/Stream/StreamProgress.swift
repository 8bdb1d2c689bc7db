/// One stream's way to its checkpoint: the notifications handled, in order, each with
/// the batch its record went into (nil: no record), so that the checkpoint moves to a
/// notification's resourceVersion only once it and everything before it is either
/// recordless or acknowledged by the exporter. Runs of entries that wait for the same
/// thing are merged, so the queue grows with the batches in flight, not the events.
struct StreamProgress: Sendable {
    private struct Entry: Sendable {
        /// Empty for an item of a relist: list items come in key order, not version
        /// order, so only the list's own version (which follows them) may be resumed from.
        var resourceVersion: String
        var batch: UInt64?
    }

    private var entries: [Entry] = []
    private var head = 0
    /// Where a restart would resume: acknowledged, with everything before it.
    private(set) var checkpoint: String
    /// The version of the last notification handled (listing excepted): a relist
    /// emits only items newer than this.
    private(set) var handled: String

    init(resumingFrom resourceVersion: String) {
        checkpoint = resourceVersion
        handled = resourceVersion
    }

    /// A notification was handled; its record, if any, went into `batch`.
    mutating func append(resourceVersion: String, batch: UInt64?, listed: Bool) {
        let version = listed ? "" : resourceVersion
        if !listed && !resourceVersion.isEmpty { handled = resourceVersion }
        if head < entries.count, entries[entries.count - 1].batch == batch {
            // The same wait as the previous entry: reached together, so the later
            // version (if this one has any) stands for both.
            if !version.isEmpty { entries[entries.count - 1].resourceVersion = version }
            return
        }
        entries.append(Entry(resourceVersion: version, batch: batch))
    }

    /// Moves the checkpoint over every entry whose batch is acknowledged (`settled`
    /// says so); true when it moved.
    mutating func advance(settled: (UInt64) -> Bool) -> Bool {
        let before = checkpoint
        while head < entries.count {
            let entry = entries[head]
            if let batch = entry.batch, !settled(batch) { break }
            if !entry.resourceVersion.isEmpty { checkpoint = entry.resourceVersion }
            head += 1
        }
        if head > 1024 && head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
        }
        return checkpoint != before
    }

    /// The oldest batch still waited for.
    var oldestBatch: UInt64? {
        entries[head...].lazy.compactMap(\.batch).first
    }

    var pending: Int { entries.count - head }
}
