/// What the event streams did, for the agent's `telegen_events_*` self-metrics.
public struct EventStatistics: Sendable, Equatable {
    /// Notifications by type: `ADDED`, `MODIFIED`, `DELETED`, and `LISTED` for the items
    /// of a relist after a 410 (bookmarks are the reflectors' count).
    public var received: [String: Int] = [:]
    /// Records handed to the exporter.
    public var emitted = 0
    /// Notifications that added no occurrence (a replay, a re-list item already sent, a
    /// MODIFIED with the same count).
    public var deduplicated = 0
    /// Events the filters (`types`, `involved_kinds`, `namespaces_exclude`,
    /// `reasons_exclude`) left out.
    public var filtered = 0
    /// Records dropped by `rate_limit`.
    public var rateLimited = 0
    /// Records emitted for items of a relist (a 410: the checkpoint had expired).
    public var relisted = 0
    /// Events the dedup state tracks.
    public var tracked = 0
    /// Unix nanoseconds of the last emitted occurrence, and when it was seen: their
    /// difference is the lag.
    public var lastOccurrenceUnixNano: UInt64 = 0
    public var lastObservedUnixNano: UInt64 = 0

    public init() {}
}
