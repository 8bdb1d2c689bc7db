import Synchronization

extension LeaderElector {
    /// Runs `body` once per term of leadership, from `.started` until `.stopped`, at
    /// which point its task is cancelled and awaited before the next term can start.
    /// `lost()`, read once `body` sees its cancellation, says why the term ended: true
    /// when leadership was lost, false when the caller itself was cancelled (shutdown,
    /// an orderly end). Returns when the caller is cancelled and the last term is over.
    public func forEachTerm(_ body: @escaping @Sendable (_ lease: LeaseRecord, _ lost: @escaping @Sendable () -> Bool) async -> Void) async {
        var term: (task: Task<Void, Never>, ending: TermEnding)?
        for await change in changes() {
            switch change {
            case .started(let lease):
                guard term == nil else { continue }
                let ending = TermEnding()
                term = (Task { await body(lease, { ending.lost }) }, ending)
            case .stopped:
                guard let running = term else { continue }
                term = nil
                running.ending.markLost()
                running.task.cancel()
                await running.task.value
            }
            if Task.isCancelled { break }
        }
        if let running = term {
            running.task.cancel()
            await running.task.value
        }
    }
}

/// Set when a term ends because leadership was lost.
private final class TermEnding: Sendable {
    private let flag = Mutex(false)
    var lost: Bool { flag.withLock { $0 } }
    func markLost() { flag.withLock { $0 = true } }
}
