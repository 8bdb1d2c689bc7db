import Logging
import Synchronization
import TelemetryModel

/// Runs one scrape loop per target of a `TargetSet`, started and stopped as the set
/// changes: each target on its own schedule (`ScrapeSchedule`), within the global caps
/// on concurrent scrapes (`ScrapeGate`) and on series (`SeriesBudget`). Every outcome,
/// success or failure, goes to `deliver`; a target that went away goes to `removed`
/// after its loop has stopped (so nothing of it is delivered afterwards).
public final class ScrapeManager: Sendable {
    public let targets: TargetSet
    public let statistics = ScrapeStatistics()
    private let scraper: HTTPScraper
    private let gate: ScrapeGate
    private let budget: SeriesBudget
    private let logger: Logger

    public init(targets: TargetSet, scraper: HTTPScraper, logger: Logger) {
        self.targets = targets
        self.scraper = scraper
        gate = ScrapeGate(slots: scraper.settings.maxConcurrentScrapes)
        budget = SeriesBudget(limit: scraper.settings.maxSeries)
        self.logger = logger
    }

    /// Runs until cancelled or until `targets.changes` ends; then stops every loop.
    public func run(deliver: @escaping @Sendable (ScrapeOutcome) async -> Void,
                    removed: @escaping @Sendable (ScrapeTarget) async -> Void) async {
        var running: [ScrapeTarget: Task<Void, Never>] = [:]
        func reconcile() async {
            let wanted = Set(targets.targets)
            for (target, task) in running where !wanted.contains(target) {
                task.cancel()
                await task.value
                running[target] = nil
                budget.release(target)
                statistics.forget(target)
                await removed(target)
                logger.info("scrape target removed", metadata: ["target": "\(ScrapeRequest.url(for: target))", "pod": "\(target.namespace)/\(target.podName)"])
            }
            for target in wanted where running[target] == nil {
                running[target] = Task { await self.loop(target, deliver: deliver) }
                logger.info("scrape target added", metadata: ["target": "\(ScrapeRequest.url(for: target))", "pod": "\(target.namespace)/\(target.podName)"])
            }
        }
        await withTaskCancellationHandler {
            await reconcile()
            for await _ in targets.changes {
                if Task.isCancelled { break }
                await reconcile()
            }
        } onCancel: {
            targets.finish()
        }
        for (target, task) in running {
            task.cancel()
            await task.value
            budget.release(target)
        }
    }

    /// One target's scrapes, every `interval` from its phase, until cancelled.
    private func loop(_ target: ScrapeTarget, deliver: @Sendable (ScrapeOutcome) async -> Void) async {
        let interval = scraper.settings.interval
        let clock = ContinuousClock()
        var failing: String?
        var next = clock.now + ScrapeSchedule.initialDelay(for: target, interval: interval, nowUnixNano: WallClock.nowUnixNano())
        while !Task.isCancelled {
            do { try await Task.sleep(until: next, clock: clock) } catch { return }
            guard let outcome = await scrapeOnce(target) else { return }
            // Logged when a target starts failing (or fails differently) and when it
            // recovers; every failure is counted.
            switch outcome.result {
            case .failure(let failure) where failure.reason != failing:
                logger.warning("scrape failed", metadata: ["target": "\(ScrapeRequest.url(for: target))", "pod": "\(target.namespace)/\(target.podName)",
                                                           "reason": "\(failure.reason)", "error": "\(failure.message)"])
                failing = failure.reason
            case .success where failing != nil:
                logger.info("scrape target recovered", metadata: ["target": "\(ScrapeRequest.url(for: target))"])
                failing = nil
            default:
                break
            }
            await deliver(outcome)
            // A scrape that overran skips the ticks it missed, keeping the phase.
            next = next + interval
            let now = clock.now
            while next <= now { next = next + interval }
        }
    }

    /// One scrape within the caps; nil when cancelled while waiting for a slot.
    func scrapeOnce(_ target: ScrapeTarget) async -> ScrapeOutcome? {
        guard await gate.acquire() else { return nil }
        var outcome = await scraper.scrape(target)
        gate.release()
        if case .success(let exposition) = outcome.result, !budget.admit(target, series: exposition.sampleCount) {
            outcome.result = .failure(ScrapeFailure(
                reason: "series_limit",
                message: "\(exposition.sampleCount) series would take the node past max_series (\(budget.limit)); \(budget.total) held by other targets"))
        }
        if case .failure = outcome.result { budget.release(target) }
        statistics.record(outcome)
        return outcome
    }
}
