import NIOCore
import Synchronization

/// `max_connections`: counts the open connections and turns away one more as soon
/// as it is accepted, as Prometheus' `--web.max-connections` does, so that a flood of
/// connections costs a closed socket each rather than a handler, buffers and timers.
/// Connections already open are not touched.
final class ConnectionLimiter: Sendable {
    let maximum: Int
    private let open = Atomic<Int>(0)
    private let selfMetrics: SelfMetrics

    init(maximum: Int, selfMetrics: SelfMetrics) {
        self.maximum = maximum
        self.selfMetrics = selfMetrics
    }

    /// Whether the new connection may stay; if so, it is counted until it closes.
    func admit(_ channel: any Channel) -> Bool {
        guard open.add(1, ordering: .relaxed).newValue <= maximum else {
            open.subtract(1, ordering: .relaxed)
            selfMetrics.record(.connectionRejected)
            return false
        }
        selfMetrics.record(.connectionOpened)
        channel.closeFuture.whenComplete { [self] _ in
            open.subtract(1, ordering: .relaxed)
            selfMetrics.record(.connectionClosed)
        }
        return true
    }
}
