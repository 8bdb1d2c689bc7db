import HTTP2Transport
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A resolver a test holds: the first `answered` lookups return `address` at once,
/// later ones block (as getaddrinfo does when no DNS server answers) until `release()`.
final class GatedResolver: HostResolver {
    private let address: ResolvedAddress
    private let answered: Int
    private let state = Mutex<(calls: Int, released: Bool)>((0, false))

    init(address: ResolvedAddress, answered: Int = 1) {
        self.address = address
        self.answered = answered
    }

    var calls: Int { state.withLock { $0.calls } }

    func release() {
        state.withLock { $0.released = true }
    }

    func resolve(host: String, port: Int) throws(HTTP2Error) -> [ResolvedAddress] {
        let call = state.withLock { state in
            state.calls += 1
            return state.calls
        }
        if call > answered {
            while !state.withLock({ $0.released }) { usleep(10_000) }
        }
        return [address]
    }
}
