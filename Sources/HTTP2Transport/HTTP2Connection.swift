#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/2 connection: a byte stream, an nghttp2 session on it, and the bytes
/// the session produced that the socket has not taken yet.
final class HTTP2Connection {
    let transport: ByteStream
    let session: HTTP2Session
    private var output: [UInt8] = []
    private var outputOffset = 0
    /// The most `output` keeps between bursts: frames, headers and small requests.
    private static let retainedOutputCapacity = 64 * 1024
    /// Events the transport is waiting for before it can move again (TLS may need a
    /// read to finish a write).
    private(set) var blockedOn: Int16 = 0
    private(set) var failure: String?
    private var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
    /// When bytes last came from the peer: the proof it is alive.
    private(set) var lastReadAt: ContinuousClock.Instant
    /// When the connection last went from no open stream to one; read-idle time
    /// counts from the later of this and `lastReadAt`, so an idle spell between
    /// requests does not trigger a PING the moment a request starts.
    var busySince: ContinuousClock.Instant
    /// A PING sent and not yet answered (nothing read since).
    private(set) var pingSentAt: ContinuousClock.Instant?
    /// Why new streams no longer go here although the server did not say GOAWAY: a
    /// request on it ran into its deadline, so the connection may be dead.
    var retired: String?

    init(transport: ByteStream, now: ContinuousClock.Instant = .now) throws(HTTP2Error) {
        self.transport = transport
        session = try HTTP2Session()
        lastReadAt = now
        busySince = now
    }

    /// New streams may go here.
    var isUsable: Bool { failure == nil && session.goAway == nil && retired == nil }

    /// Sends a PING now (unless one is outstanding); `liveness` then closes the
    /// connection if nothing is read within the PING timeout.
    func ping(now: ContinuousClock.Instant) {
        guard failure == nil, pingSentAt == nil else { return }
        session.ping()
        pingSentAt = now
    }

    enum Liveness {
        case alive
        /// A PING is due (read-idle time passed with a stream open).
        case pingDue
        /// The PING went unanswered: the peer is gone.
        case dead(silentFor: Duration)
    }

    /// Where the connection stands, and the next instant that may change it (nil: none).
    func liveness(now: ContinuousClock.Instant, readIdleTimeout: Duration?, pingTimeout: Duration) -> (Liveness, ContinuousClock.Instant?) {
        guard failure == nil else { return (.alive, nil) }
        if let sent = pingSentAt {
            if lastReadAt > sent {
                pingSentAt = nil
            } else {
                let limit = sent + pingTimeout
                return now >= limit ? (.dead(silentFor: lastReadAt.duration(to: now)), nil) : (.alive, limit)
            }
        }
        guard let readIdleTimeout, session.hasOpenStreams else { return (.alive, nil) }
        let due = max(lastReadAt, busySince) + readIdleTimeout
        return now >= due ? (.pingDue, nil) : (.alive, due)
    }

    /// Gives the connection up: its streams fail with `reason`.
    func abandon(_ reason: String) {
        fail(reason)
    }

    var isDead: Bool { failure != nil }
    var hasPendingOutput: Bool { outputOffset < output.count }

    /// Writes what the session wants to send until the socket would block.
    func flush() {
        guard failure == nil else { return }
        while true {
            if outputOffset == output.count {
                // A burst's buffer (an OTLP request of hundreds of KiB) is let go once
                // written: kept, each connection held its largest burst for good (1 MB
                // of a 10 000-pod agent's steady heap, by heaptrack).
                if output.capacity > Self.retainedOutputCapacity {
                    output = []
                } else {
                    output.removeAll(keepingCapacity: true)
                }
                outputOffset = 0
                do {
                    try session.produceOutput(into: &output)
                } catch {
                    fail("\(error)")
                    return
                }
                if output.isEmpty { blockedOn = 0; return }
            }
            let result = output.withUnsafeBytes { raw in
                transport.write(UnsafeRawBufferPointer(rebasing: raw[outputOffset...]))
            }
            switch result {
            case .transferred(let count):
                outputOffset += count
            case .wouldBlock(let events):
                blockedOn = events
                return
            case .closed, .failed:
                fail(result.failureReason)
                return
            }
        }
    }

    /// Reads everything available and feeds it to the session.
    func readAvailable() {
        guard failure == nil else { return }
        // What arrived goes to streamed readers once per call, not once per frame.
        defer { session.flushBodies() }
        while true {
            let result = readBuffer.withUnsafeMutableBytes { transport.read(into: $0) }
            switch result {
            case .transferred(let count):
                lastReadAt = .now
                do {
                    try readBuffer.withUnsafeBytes { try session.receive(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                } catch {
                    fail("\(error)")
                    return
                }
            case .wouldBlock(let events):
                if events == Int16(POLLOUT) { blockedOn = events }
                return
            case .closed, .failed:
                fail(result.failureReason)
                return
            }
        }
    }

    /// The poll events that would let this connection make progress.
    var pollEvents: Int16 {
        var events = Int16(POLLIN)
        if hasPendingOutput || blockedOn == Int16(POLLOUT) { events |= Int16(POLLOUT) }
        return events
    }

    private func fail(_ reason: String) {
        guard failure == nil else { return }
        failure = reason
        transport.close()
        session.failAll(with: .connectionLost(reason))
    }

    func close() {
        transport.close()
    }
}
