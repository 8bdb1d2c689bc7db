/// When a target is scraped within the interval: at a fixed phase taken from a hash of
/// the target, as Prometheus' `offset`, so that a node's targets spread over the
/// interval instead of all firing at once, and a target keeps its phase across
/// restarts (the phase is against the wall clock).
enum ScrapeSchedule {
    /// Time from `nowUnixNano` to the target's first scrape: within one interval.
    static func initialDelay(for target: ScrapeTarget, interval: Duration, nowUnixNano: UInt64) -> Duration {
        let intervalNanos = UInt64(max(1, interval.nanoseconds))
        let phase = hash(target) % intervalNanos
        let now = nowUnixNano % intervalNanos
        let delay = phase >= now ? phase - now : intervalNanos - now + phase
        return .nanoseconds(Int64(delay))
    }

    /// FNV-1a 64 of what identifies the target.
    static func hash(_ target: ScrapeTarget) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(target.podUID)|\(target.scheme)://\(target.instance)\(target.path)".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}

extension Duration {
    /// Whole nanoseconds, saturating.
    var nanoseconds: Int64 {
        let components = self.components
        let (scaled, overflow) = components.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return components.seconds < 0 ? .min : .max }
        return scaled.addingReportingOverflow(components.attoseconds / 1_000_000_000).overflow ? .max
            : scaled + components.attoseconds / 1_000_000_000
    }
}
