import Synchronization

/// The cap on series held across every target (`max_series`). A target's latest
/// successful scrape holds its sample count; a scrape that would take the total past
/// the cap is dropped (the target then holds nothing, and reports `up 0`), so one
/// noisy app cannot grow the push without bound.
final class SeriesBudget: Sendable {
    private struct State {
        var held: [ScrapeTarget: Int] = [:]
        var total = 0
    }

    let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Replaces the target's series with `series`, or releases them and returns false
    /// when the others plus `series` would pass the limit.
    func admit(_ target: ScrapeTarget, series: Int) -> Bool {
        state.withLock { state in
            let others = state.total - (state.held[target] ?? 0)
            let admitted = series <= limit - others
            let now = admitted ? series : 0
            state.total = others + now
            state.held[target] = now
            return admitted
        }
    }

    /// The target is gone, or its scrape failed: it holds nothing.
    func release(_ target: ScrapeTarget) {
        state.withLock { state in
            state.total -= state.held.removeValue(forKey: target) ?? 0
        }
    }

    var total: Int { state.withLock { $0.total } }
}
