import KubeWatch

/// The occurrence count last delivered per event UID: what makes a replayed ADDED, a
/// MODIFIED that did not add an occurrence, or a re-listed event already sent a
/// duplicate. Bounded by age (an event not touched for `maximumAge` has expired from
/// the API server, whose TTL is an hour and re-armed by every update) and by entries
/// (the least recently touched go first). 24 bytes a slot: the UID as 128 bits, the
/// count and the time as 32 bits each, so 64 to 85 bytes an entry at the dictionary's
/// load (docs/benchmarks.md). Not thread-safe; its owner serialises access.
struct DeliveredEvents: Sendable {
    /// An event UID as 128 bits: the UUID itself (every UID the API server makes), or for
    /// any other text two independent 64-bit FNV-1a hashes of it.
    struct Key: Hashable, Sendable {
        var high: UInt64
        var low: UInt64

        init(_ uid: String) {
            switch StoreKey(uid) {
            case .uuid(let high, let low):
                self.high = high
                self.low = low
            case .text(let text):
                high = FNV1a.hash(text)
                low = FNV1a.hash(text, basis: 0x6C62_272E_07BB_0142)
            }
        }
    }

    struct Entry: Sendable {
        /// The last count delivered (a count past 2^32 stays at the maximum).
        var count: UInt32
        /// Seconds since `origin`.
        var touched: UInt32
    }

    let maximumEntries: Int
    let maximumAge: Duration
    private let origin: ContinuousClock.Instant
    private var entries: [Key: Entry] = [:]

    init(maximumEntries: Int = 200_000, maximumAge: Duration = .seconds(75 * 60), now: ContinuousClock.Instant = .now) {
        self.maximumEntries = max(maximumEntries, 1)
        self.maximumAge = maximumAge
        origin = now
    }

    var count: Int { entries.count }

    func lastCount(uid: String) -> Int64? {
        entries[Key(uid)].map { Int64($0.count) }
    }

    mutating func record(uid: String, count: Int64, now: ContinuousClock.Instant = .now) {
        entries[Key(uid)] = Entry(count: UInt32(clamping: count), touched: seconds(now))
        if entries.count > maximumEntries { evictOldest() }
    }

    mutating func forget(uid: String) {
        entries.removeValue(forKey: Key(uid))
    }

    mutating func forgetAll() {
        entries.removeAll()
    }

    /// Drops entries older than `maximumAge`.
    mutating func expire(now: ContinuousClock.Instant = .now) {
        let limit = Int64(seconds(now)) - maximumAge.components.seconds
        guard limit > 0 else { return }
        entries = entries.filter { Int64($0.value.touched) >= limit }
    }

    /// Down to nine tenths of the cap (at least one), oldest first, so that eviction runs
    /// once per many insertions rather than on each. Everything newer than the cutoff
    /// second stays; entries of the cutoff second itself fill what room is left, so the
    /// entry just recorded is never the one evicted.
    private mutating func evictOldest() {
        let keep = max(maximumEntries * 9 / 10, 1)
        let times = entries.values.map(\.touched).sorted()
        guard times.count > keep else { return }
        let cutoff = times[times.count - keep]
        let newer = entries.values.reduce(0) { $0 + ($1.touched > cutoff ? 1 : 0) }
        var tiesKept = 0
        entries = entries.filter { entry in
            if entry.value.touched > cutoff { return true }
            guard entry.value.touched == cutoff, newer + tiesKept < keep else { return false }
            tiesKept += 1
            return true
        }
    }

    private func seconds(_ now: ContinuousClock.Instant) -> UInt32 {
        UInt32(clamping: max((now - origin).components.seconds, 0))
    }
}
