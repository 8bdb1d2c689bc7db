#if canImport(Glibc)
import Glibc
#endif

/// A non-blocking TCP connection, IPv4 or IPv6, to addresses a `HostResolver` gave.
final class TCPSocket: ByteStream {
    let fd: Int32
    private var isClosed = false

    private init(fd: Int32) {
        self.fd = fd
    }

    /// Tries the addresses in order. Each gets a share of what is left of the deadline
    /// (what is left divided by the addresses left, at least 2 s when there is that
    /// much, as Go's dialer does), so an address that drops SYNs (an unrouted IPv6
    /// address listed first) cannot use up the time of the ones after it.
    static func connect(to addresses: [ResolvedAddress], deadline: ContinuousClock.Instant, name: String) throws(HTTP2Error) -> TCPSocket {
        var failures: [String] = []
        for (index, address) in addresses.enumerated() {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { break }
            let left = addresses.count - index
            let share = left == 1 ? remaining : max(remaining / left, min(remaining, .seconds(2)))
            let attemptDeadline = ContinuousClock.now.advanced(by: share)
            let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { failures.append(Self.errorText()); continue }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, socklen_t(MemoryLayout<Int32>.size))
            let started = address.bytes.withUnsafeBytes { raw in
                Glibc.connect(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
            }
            if started == 0 { return TCPSocket(fd: fd) }
            guard errno == EINPROGRESS else {
                failures.append(Self.errorText())
                Glibc.close(fd)
                continue
            }
            switch waitForConnect(fd: fd, deadline: attemptDeadline) {
            case nil:
                return TCPSocket(fd: fd)
            case let reason?:
                failures.append(reason)
                Glibc.close(fd)
            }
        }
        throw .connectFailed("\(name): \(failures.last ?? (addresses.isEmpty ? "no address" : "timed out"))")
    }

    /// nil when connected, else why not.
    private static func waitForConnect(fd: Int32, deadline: ContinuousClock.Instant) -> String? {
        var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { return "timed out" }
            let milliseconds = Int32(clamping: remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1)
            let ready = poll(&poller, 1, milliseconds)
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { continue }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            return error == 0 ? nil : String(cString: strerror(error))
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> IOResult {
        while true {
            let count = recv(fd, buffer.baseAddress, buffer.count, 0)
            if count > 0 { return .transferred(count) }
            if count == 0 { return .closed }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock(events: Int16(POLLIN))
            default: return .failed(Self.errorText())
            }
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> IOResult {
        while true {
            let count = send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            if count >= 0 { return .transferred(count) }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock(events: Int16(POLLOUT))
            default: return .failed(Self.errorText())
            }
        }
    }

    var hasBufferedInput: Bool { false }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        Glibc.close(fd)
    }

    deinit { close() }

    static func errorText() -> String { String(cString: strerror(errno)) }
}
