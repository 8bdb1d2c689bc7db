import Synchronization

/// What scraping did, for the agent's self-metrics (`telegen_app_*`, docs/apps.md).
public final class ScrapeStatistics: Sendable {
    public struct Snapshot: Sendable, Equatable {
        public var successes = 0
        public var failures = 0
        /// Failed scrapes by reason (`refused`, `timeout`, `http_status`, ...).
        public var failureReasons: [String: Int] = [:]
        /// Samples of every live target's latest successful scrape.
        public var samples = 0
        /// Wall time spent in scrapes, summed.
        public var durationSeconds = 0.0
    }

    private struct State {
        var snapshot = Snapshot()
        var samples: [ScrapeTarget: Int] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    func record(_ outcome: ScrapeOutcome) {
        let seconds = outcome.duration / .seconds(1)
        state.withLock { state in
            state.snapshot.durationSeconds += seconds
            switch outcome.result {
            case .success(let exposition):
                state.snapshot.successes += 1
                state.samples[outcome.target] = exposition.sampleCount
            case .failure(let failure):
                state.snapshot.failures += 1
                state.snapshot.failureReasons[failure.reason, default: 0] += 1
                state.samples[outcome.target] = nil
            }
            state.snapshot.samples = state.samples.values.reduce(0, +)
        }
    }

    func forget(_ target: ScrapeTarget) {
        state.withLock { state in
            state.samples[target] = nil
            state.snapshot.samples = state.samples.values.reduce(0, +)
        }
    }

    public var snapshot: Snapshot { state.withLock { $0.snapshot } }
}
