import Dispatch
import Logging
import TelemetryModel
import ServiceLifecycle

/// Runs one collector every `interval` until graceful shutdown, publishing each
/// result to the snapshot store and recording its cost in the self-metrics.
///
/// Collection runs on the collector's own serial dispatch queue: kernel reads block,
/// and on a 2-core node Swift's cooperative pool has only two threads to lose.
struct CollectionLoop: Service {
    let collector: any Collector
    let interval: Duration
    let store: SnapshotStore
    let selfMetrics: SelfMetrics
    let logger: Logger
    private let queue: DispatchQueue

    init(collector: any Collector, interval: Duration, store: SnapshotStore, selfMetrics: SelfMetrics, logger: Logger) {
        self.collector = collector
        self.interval = interval
        self.store = store
        self.selfMetrics = selfMetrics
        self.logger = logger
        self.queue = DispatchQueue(label: "telegen.collect.\(collector.name)")
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            let clock = ContinuousClock()
            var deadline = clock.now
            while !Task.isCancelled {
                await runOnce()
                // Fixed-rate ticks; a cycle that overran skips the missed ticks instead of bunching up.
                deadline = deadline.advanced(by: interval)
                let now = clock.now
                if deadline < now {
                    let missed = ((now - deadline) / interval).rounded(.down)
                    deadline = deadline.advanced(by: interval * (missed + 1))
                }
                do {
                    try await clock.sleep(until: deadline)
                } catch {
                    return
                }
            }
        }
    }

    /// One collection, published; also used by `--once`.
    @discardableResult
    func runOnce() async -> CollectionResult {
        let collector = self.collector
        guard collector.isReady else { return CollectionResult(families: []) }
        let clock = ContinuousClock()
        let start = clock.now
        let result = await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: collector.collect()) }
        }
        let elapsed = clock.now - start
        store.publish(result.source, from: collector.name, at: WallClock.nowUnixNano())
        let change = selfMetrics.recordCollection(collector: collector.name, duration: elapsed, result: result)
        // A part that keeps failing is logged when it starts and when it recovers, not every
        // cycle; the error counter still counts every failure.
        for failure in result.failures {
            let level: Logger.Level = change.newlyFailing.contains(failure.subsystem) ? .warning : .debug
            logger.log(level: level, "collection failed", metadata: [
                "collector": "\(collector.name)", "subsystem": "\(failure.subsystem)", "error": "\(failure.message)",
            ])
        }
        for subsystem in change.recovered {
            logger.info("collection recovered", metadata: ["collector": "\(collector.name)", "subsystem": "\(subsystem)"])
        }
        logger.debug("collected", metadata: [
            "collector": "\(collector.name)", "series": "\(result.seriesCount)",
            "duration": "\(elapsed)",
        ])
        return result
    }
}
