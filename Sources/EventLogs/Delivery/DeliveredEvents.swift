import KubeWatch

/// The occurrence count last delivered per event UID: what makes a replayed ADDED, a
/// MODIFIED that did not add an occurrence, or a re-listed event already sent a
/// duplicate. Bounded by age (an event not touched for `maximumAge` has expired from
/// the API server, whose TTL is an hour and re-armed by every update) and by entries
/// (the least recently touched go first). About 50 bytes an entry: the UID as 128 bits,
/// the count and the time. Not thread-safe; its owner serialises access.
struct DeliveredEvents: Sendable {
    struct Entry: Sendable {
        var count: Int64
        /// Seconds since `origin`.
        var touched: UInt32
    }

    let maximumEntries: Int
    let maximumAge: Duration
    private let origin: ContinuousClock.Instant
    private var entries: [StoreKey: Entry] = [:]

    init(maximumEntries: Int = 200_000, maximumAge: Duration = .seconds(75 * 60), now: ContinuousClock.Instant = .now) {
        self.maximumEntries = max(maximumEntries, 1)
        self.maximumAge = maximumAge
        origin = now
    }

    var count: Int { entries.count }

    func lastCount(uid: String) -> Int64? {
        entries[StoreKey(uid)]?.count
    }

    mutating func record(uid: String, count: Int64, now: ContinuousClock.Instant = .now) {
        entries[StoreKey(uid)] = Entry(count: count, touched: seconds(now))
        if entries.count > maximumEntries { evictOldest() }
    }

    mutating func forget(uid: String) {
        entries.removeValue(forKey: StoreKey(uid))
    }

    /// Drops entries older than `maximumAge`.
    mutating func expire(now: ContinuousClock.Instant = .now) {
        let limit = Int64(seconds(now)) - maximumAge.components.seconds
        guard limit > 0 else { return }
        entries = entries.filter { Int64($0.value.touched) >= limit }
    }

    /// Down to nine tenths of the cap, oldest first, so that eviction runs once per
    /// many insertions rather than on each.
    private mutating func evictOldest() {
        let keep = maximumEntries * 9 / 10
        let times = entries.values.map(\.touched).sorted()
        let cutoff = times[max(times.count - keep, 0)]
        var kept = 0
        entries = entries.filter { entry in
            guard entry.value.touched >= cutoff, kept < keep else { return false }
            kept += 1
            return true
        }
    }

    private func seconds(_ now: ContinuousClock.Instant) -> UInt32 {
        UInt32(clamping: max((now - origin).components.seconds, 0))
    }
}
