import Synchronization
import TelemetryModel

/// One name lookup, run on a thread of its own: getaddrinfo blocks for as long as the
/// system's resolver takes (an unanswering DNS server: tens of seconds), and on the
/// I/O thread that would stall every open stream and every deadline. The I/O thread
/// starts it, keeps polling, and takes the outcome when the lookup wakes it; a lookup
/// nobody waits for any more is simply dropped when it finishes.
final class Resolution: Sendable {
    let started: ContinuousClock.Instant
    private let outcome = Mutex<Result<[ResolvedAddress], HTTP2Error>?>(nil)

    private init(started: ContinuousClock.Instant) {
        self.started = started
    }

    /// Starts looking `host` up; nil when no thread can be started.
    static func start(host: String, port: Int, resolver: any HostResolver, wakePipe: WakePipe) -> Resolution? {
        let resolution = Resolution(started: .now)
        let started = DetachedThread.start {
            let result: Result<[ResolvedAddress], HTTP2Error>
            do throws(HTTP2Error) {
                let addresses = try resolver.resolve(host: host, port: port)
                result = addresses.isEmpty ? .failure(.connectFailed("resolve \(host): no address")) : .success(addresses)
            } catch {
                result = .failure(error)
            }
            resolution.outcome.withLock { $0 = result }
            wakePipe.wake()
        }
        return started ? resolution : nil
    }

    /// The addresses, or why there are none; nil while the lookup runs.
    var result: Result<[ResolvedAddress], HTTP2Error>? { outcome.withLock { $0 } }
}
