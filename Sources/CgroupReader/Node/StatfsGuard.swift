import Dispatch
import TelemetryModel
import Synchronization

/// Runs statfs with a deadline. A mount that does not answer in time (a dead NFS
/// server) is marked stuck and skipped until its call returns, as node_exporter does,
/// so one bad mount cannot stall the node collector.
///
/// Calls run on a worker thread of the guard's own. A call that hangs takes its
/// thread with it; the guard abandons that worker and starts a fresh one. Dispatch's
/// global pool is not used: on a 2-core node two hung calls would starve it.
final class StatfsGuard: Sendable {
    typealias Statfs = @Sendable (String) throws -> FilesystemUsage
    typealias Outcome = Result<FilesystemUsage, FilesystemUsageError.Reported>

    static let timeoutMessage = "mountpoint timeout"

    private let timeout: Duration
    private let statfs: Statfs
    private let stuck = Mutex<Set<String>>([])
    private let worker: Mutex<Worker>

    init(timeout: Duration, statfs: @escaping Statfs = { try FilesystemUsage.read(path: $0) }) {
        self.timeout = timeout
        self.statfs = statfs
        worker = Mutex(Worker())
    }

    func usage(of path: String) -> Outcome {
        if stuck.withLock({ $0.contains(path) }) {
            return .failure(.init(message: Self.timeoutMessage))
        }
        let call = Call(path: path)
        let statfs = self.statfs
        worker.withLock { $0.submit(call, statfs: statfs, onFinish: { [self] in _ = self.stuck.withLock { $0.remove(path) } }) }
        if call.done.wait(timeout: .now() + .nanoseconds(Int(timeout / .nanoseconds(1)))) == .timedOut {
            let abandoned: Bool = stuck.withLock { state in
                // The worker may have finished between the timeout and here.
                guard call.outcome == nil else { return false }
                state.insert(path)
                return true
            }
            if abandoned {
                worker.withLock { hung in
                    hung.retire()
                    hung = Worker()
                }
                return .failure(.init(message: Self.timeoutMessage))
            }
        }
        return call.outcome ?? .failure(.init(message: Self.timeoutMessage))
    }

    /// One statfs in flight; its outcome is written once by the worker thread.
    final class Call: Sendable {
        let path: String
        let done = DispatchSemaphore(value: 0)
        private let stored = Mutex<Outcome?>(nil)

        init(path: String) { self.path = path }

        var outcome: Outcome? { stored.withLock { $0 } }

        func finish(_ outcome: Outcome) {
            stored.withLock { $0 = outcome }
            done.signal()
        }
    }

    /// A thread that runs submitted calls in order until retired.
    struct Worker: Sendable {
        private final class Inbox: Sendable {
            enum Job: Sendable {
                case call(Call, Statfs, @Sendable () -> Void)
                case retire
            }

            let jobs = Mutex<[Job]>([])
            let wake = DispatchSemaphore(value: 0)
        }

        private let inbox = Inbox()

        /// Without a thread (the system is out of them) calls time out and are reported
        /// as `mountpoint timeout`, never block the collector.
        init() {
            let inbox = self.inbox
            DetachedThread.start {
                while true {
                    inbox.wake.wait()
                    guard let job = inbox.jobs.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { continue }
                    switch job {
                    case .retire:
                        return
                    case .call(let call, let statfs, let onFinish):
                        let outcome = Result { try statfs(call.path) }.mapError {
                            FilesystemUsageError.Reported(message: ($0 as? FilesystemUsageError)?.message ?? "\($0)")
                        }
                        call.finish(outcome)
                        onFinish()
                    }
                }
            }
        }

        func submit(_ call: Call, statfs: @escaping Statfs, onFinish: @escaping @Sendable () -> Void) {
            inbox.jobs.withLock { $0.append(.call(call, statfs, onFinish)) }
            inbox.wake.signal()
        }

        /// The thread exits after the call it is stuck in, if that ever returns.
        func retire() {
            inbox.jobs.withLock { $0.append(.retire) }
            inbox.wake.signal()
        }
    }
}

extension FilesystemUsageError {
    /// The error text node_exporter reports in the `device_error` label.
    struct Reported: Error, Equatable {
        var message: String
    }
}
