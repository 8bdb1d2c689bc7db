/// Where the push loop gets application metrics from, once per push.
///
/// Requirements: `currentTargets` returns the latest `TargetMetrics` of every live
/// target (one entry per target; a target that went away is no longer returned, so
/// its series stop being sent); it is called from any task, so it must not block for
/// long (return a snapshot, do not scrape).
public protocol TargetMetricsProvider: Sendable {
    func currentTargets() -> [TargetMetrics]
}
