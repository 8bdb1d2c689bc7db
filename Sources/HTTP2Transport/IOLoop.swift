import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The client's I/O thread: connects, moves bytes between sockets and nghttp2, and
/// finishes exchanges. Everything here is confined to that thread.
final class IOLoop: Sendable {
    private let endpoint: HTTP2Endpoint
    private let tls: SendableContext?
    private let connectTimeout: Duration
    private let healthCheck: HTTP2Client.HealthCheck
    private let resolver: any HostResolver
    private let counters: HTTP2Client.Counters
    private let logger: Logger

    /// A request refused unprocessed this often is given up.
    static let maximumRefusals = 3

    init(endpoint: HTTP2Endpoint, tls: SendableContext?, connectTimeout: Duration, healthCheck: HTTP2Client.HealthCheck,
         resolver: any HostResolver, counters: HTTP2Client.Counters, logger: Logger) {
        self.resolver = resolver
        self.endpoint = endpoint
        self.tls = tls
        self.connectTimeout = connectTimeout
        self.healthCheck = healthCheck
        self.counters = counters
        self.logger = logger
    }

    /// What callers handed over since the loop last looked.
    struct Inbox {
        var submissions: [Submission]
        var cancellations: [UInt64]
        var consumed: [(id: UInt64, bytes: Int)]
        var shutDown: Bool
    }

    func run(inbox: () -> Inbox, wakePipe: WakePipe) {
        let state = LoopState(endpoint: endpoint, healthCheck: healthCheck, counters: counters, logger: logger)
        while true {
            let handed = inbox()
            if handed.shutDown {
                // Requests handed over together with the shutdown are answered too.
                state.waiting += handed.submissions
                state.shutDown()
                return
            }
            state.waiting += handed.submissions
            for id in handed.cancellations { state.cancel(id) }
            for (id, bytes) in handed.consumed { state.consumed(id, bytes: bytes) }
            // Before the requests' own deadlines: a lookup that did not answer is the
            // clearer reason.
            giveUpLateLookup(state, now: .now)
            state.expire(now: .now)
            state.checkLiveness(now: .now)
            if state.waiting.isEmpty {
                // Nobody waits for a connection: a lookup still running is left to finish
                // (it is not started again while it runs); a finished one is dropped.
                state.connectDeadline = nil
                if state.resolution?.result != nil { state.resolution = nil }
            } else {
                connectIfNeeded(state, wakePipe: wakePipe, now: .now)
            }
            state.submitWaiting(endpoint: endpoint)
            for connection in state.connections { connection.flush() }
            state.collectRefusedAndDead()
            if !state.waiting.isEmpty && state.active == nil && state.connectDeadline == nil { continue }

            var descriptors = [pollfd(fd: wakePipe.readEnd, events: Int16(POLLIN), revents: 0)]
            descriptors += state.connections.map { pollfd(fd: $0.transport.fd, events: $0.pollEvents, revents: 0) }
            let buffered = state.connections.contains { $0.transport.hasBufferedInput }
            let ready = poll(&descriptors, nfds_t(descriptors.count), buffered ? 0 : state.pollTimeout(now: .now))
            if ready < 0 && errno != EINTR { continue }
            if descriptors[0].revents != 0 { wakePipe.drain() }
            for (index, connection) in state.connections.enumerated() {
                let events = descriptors[index + 1].revents
                if events != 0 || connection.transport.hasBufferedInput {
                    connection.readAvailable()
                    connection.flush()
                }
            }
            state.collectRefusedAndDead()
        }
    }

    /// Opens a connection for the waiting requests. The name is looked up on a thread
    /// of its own (`Resolution`) while this thread goes on serving the open
    /// connections; the lookup, TCP and TLS together must finish by the connect
    /// deadline (the earliest waiting request's deadline, at most `connectTimeout`
    /// from when the requests began to wait), else the waiting requests fail, counted.
    private func connectIfNeeded(_ state: LoopState, wakePipe: WakePipe, now: ContinuousClock.Instant) {
        if state.active != nil { return }
        let deadline: ContinuousClock.Instant
        if let pending = state.connectDeadline {
            deadline = pending
        } else {
            let earliest = state.waiting.map(\.deadline).min() ?? now
            deadline = min(earliest, now.advanced(by: connectTimeout))
            state.connectDeadline = deadline
        }
        if state.resolution == nil {
            guard let resolution = Resolution.start(host: endpoint.host, port: endpoint.port, resolver: resolver, wakePipe: wakePipe) else {
                failConnect(state, .connectFailed("resolve \(endpoint.host): cannot start a thread for the lookup"))
                return
            }
            state.resolution = resolution
        }
        guard let lookup = state.resolution?.result else {
            giveUpLateLookup(state, now: now)
            return
        }
        state.resolution = nil
        state.connectDeadline = nil
        do throws(HTTP2Error) {
            let addresses = try lookup.get()
            let socket = try TCPSocket.connect(to: addresses, deadline: deadline, name: "\(endpoint.host):\(endpoint.port)")
            var transport: ByteStream = socket
            if let tls {
                transport = try TLSStream(socket: socket, context: tls.source.current(counters: counters, logger: logger),
                                          host: endpoint.host, deadline: deadline)
            }
            state.adopt(try HTTP2Connection(transport: transport))
            counters.update { $0.connectionsOpened += 1 }
        } catch {
            failConnect(state, error)
        }
    }

    /// The waiting requests fail, counted, when the lookup they wait for has not
    /// answered by the connect deadline. The lookup itself cannot be interrupted: it
    /// goes on, and the next request that needs a connection waits for it (never more
    /// than one lookup at a time).
    private func giveUpLateLookup(_ state: LoopState, now: ContinuousClock.Instant) {
        guard let deadline = state.connectDeadline, now >= deadline, let resolution = state.resolution, resolution.result == nil else { return }
        let waited = resolution.started.duration(to: now)
        logger.warning("the name lookup did not answer by the connect deadline; the waiting requests fail", metadata: [
            "endpoint": "\(endpoint)", "waited": "\(waited)",
        ])
        counters.update { $0.resolveTimeouts += 1 }
        failConnect(state, .connectFailed("resolve \(endpoint.host): no answer within \(waited)"))
    }

    /// Nothing was sent: every waiting request fails, and the caller decides whether
    /// and when to try again.
    private func failConnect(_ state: LoopState, _ error: HTTP2Error) {
        counters.update { $0.connectFailures += 1 }
        state.connectDeadline = nil
        for submission in state.waiting { submission.fail(error) }
        state.waiting.removeAll()
    }
}

/// The I/O thread's mutable state.
private final class LoopState {
    var waiting: [Submission] = []
    var connections: [HTTP2Connection] = []
    let endpoint: HTTP2Endpoint
    let healthCheck: HTTP2Client.HealthCheck
    let counters: HTTP2Client.Counters
    let logger: Logger
    /// Connections whose GOAWAY has been counted.
    private var goAwaysSeen = Set<ObjectIdentifier>()
    /// The name lookup for the next connection, running or finished (one at a time).
    var resolution: Resolution?
    /// While requests wait for a lookup: when the connect attempt gives up.
    var connectDeadline: ContinuousClock.Instant?

    init(endpoint: HTTP2Endpoint, healthCheck: HTTP2Client.HealthCheck, counters: HTTP2Client.Counters, logger: Logger) {
        self.endpoint = endpoint
        self.healthCheck = healthCheck
        self.counters = counters
        self.logger = logger
    }

    /// The connection new streams go to: the newest one that is not going away,
    /// broken or retired.
    var active: HTTP2Connection? {
        guard let last = connections.last, last.isUsable else { return nil }
        return last
    }

    /// Pings connections that have been read-idle with a stream open, and closes
    /// those whose PING went unanswered.
    func checkLiveness(now: ContinuousClock.Instant) {
        for connection in connections {
            switch connection.liveness(now: now, readIdleTimeout: healthCheck.readIdleTimeout, pingTimeout: healthCheck.pingTimeout).0 {
            case .alive:
                break
            case .pingDue:
                connection.ping(now: now)
                counters.update { $0.pingsSent += 1 }
            case .dead(let silence):
                let reason = "no answer to an HTTP/2 PING within \(healthCheck.pingTimeout) (nothing read for \(silence)): the peer is unreachable"
                logger.warning("closing a dead HTTP/2 connection", metadata: [
                    "endpoint": "\(endpoint)", "silent_for": "\(silence)", "ping_timeout": "\(healthCheck.pingTimeout)",
                ])
                counters.update { $0.closedForUnansweredPing += 1 }
                connection.abandon(reason)
            }
        }
    }

    func adopt(_ connection: HTTP2Connection) {
        connections.append(connection)
    }

    func submitWaiting(endpoint: HTTP2Endpoint) {
        guard let active, !waiting.isEmpty else { return }
        if !active.session.hasOpenStreams { active.busySince = .now }
        var remaining: [Submission] = []
        for submission in waiting {
            if !active.session.submit(submission, authority: endpoint.authority, scheme: endpoint.secure ? "https" : "http",
                                      pathPrefix: endpoint.pathPrefix) {
                remaining.append(submission)
            }
        }
        waiting = remaining
    }

    /// Re-queues what servers refused, and drops connections that broke or finished.
    func collectRefusedAndDead() {
        for connection in connections {
            if connection.session.goAway != nil, goAwaysSeen.insert(ObjectIdentifier(connection)).inserted {
                counters.update { $0.goAways += 1 }
            }
            for var submission in connection.session.refused {
                submission.refusals += 1
                if submission.refusals > IOLoop.maximumRefusals {
                    submission.fail(.refused)
                } else {
                    waiting.append(submission)
                    counters.update { $0.refusedAndResent += 1 }
                }
            }
            connection.session.refused.removeAll()
        }
        connections.removeAll { connection in
            let done = connection.isDead || (connection.session.goAway != nil && connection.session.streams.isEmpty)
                || (connection.retired != nil && !connection.session.hasOpenStreams)
                || (connection.session.isFinished && !connection.hasPendingOutput)
            if done {
                // nghttp2 may end a session itself (a protocol error from the peer) with
                // streams still open; whatever is left must not wait forever.
                connection.session.failAll(with: .connectionLost(connection.failure ?? "the HTTP/2 session ended"))
                connection.close()
                goAwaysSeen.remove(ObjectIdentifier(connection))
            }
            return done
        }
    }

    /// The caller gave up on a request: it fails with `.cancelled` and its stream, if
    /// it has one, is reset.
    func cancel(_ id: UInt64) {
        if let index = waiting.firstIndex(where: { $0.id == id }) {
            waiting.remove(at: index).fail(.cancelled)
            return
        }
        if let (session, streamID) = stream(of: id) { session.cancel(streamID: streamID, with: .cancelled) }
    }

    /// A streamed response's reader took `bytes`: the server may send that much more.
    func consumed(_ id: UInt64, bytes: Int) {
        if let (session, streamID) = stream(of: id) { session.consumed(streamID: streamID, bytes: bytes) }
    }

    /// The open stream carrying a submission, on whichever connection it went out.
    private func stream(of id: UInt64) -> (HTTP2Session, Int32)? {
        for connection in connections {
            if let (streamID, _) = connection.session.streams.first(where: { $0.value.submission.id == id }) {
                return (connection.session, streamID)
            }
        }
        return nil
    }

    func expire(now: ContinuousClock.Instant) {
        waiting.removeAll { submission in
            guard submission.deadline <= now else { return false }
            submission.fail(.timedOut)
            return true
        }
        for connection in connections {
            var timedOut = false
            for (streamID, stream) in connection.session.streams where !stream.finished {
                if stream.submission.deadline <= now {
                    connection.session.cancel(streamID: streamID, with: .timedOut)
                    timedOut = true
                } else if let idle = stream.submission.request.idleTimeout, stream.lastReceivedAt + idle <= now {
                    // The server stopped feeding this stream; the connection answers for
                    // itself (PINGs), so it stays.
                    connection.session.cancel(streamID: streamID, with: .idleTimedOut)
                    counters.update { $0.idleStreamsTimedOut += 1 }
                }
            }
            if timedOut { retire(connection, now: now) }
        }
    }

    /// A request on `connection` ran into its deadline: the connection may be dead (or
    /// hopelessly slow), so the retry gets a new one. Streams still open on it stay
    /// and a PING checks it for them; it closes once they are done.
    private func retire(_ connection: HTTP2Connection, now: ContinuousClock.Instant) {
        guard connection.retired == nil, !connection.isDead else { return }
        connection.retired = "a request timed out"
        counters.update { $0.retiredAfterTimeout += 1 }
        logger.notice("a request timed out; new requests go to a new HTTP/2 connection", metadata: ["endpoint": "\(endpoint)"])
        if connection.session.hasOpenStreams && connection.pingSentAt == nil {
            connection.ping(now: now)
            counters.update { $0.pingsSent += 1 }
        }
    }

    /// Milliseconds until the nearest deadline (a request's, a PING's, a read-idle
    /// check's), or -1 when nothing waits.
    func pollTimeout(now: ContinuousClock.Instant) -> Int32 {
        // Streams already ended from this side (cancelled, timed out) wait only for their
        // RST_STREAM to go out: their past deadlines must not make poll return at once,
        // or the thread spins while the socket cannot take more bytes.
        var deadlines = waiting.map(\.deadline) + (connectDeadline.map { [$0] } ?? [])
            + connections.flatMap { $0.session.streams.values.filter { !$0.finished }.map(\.nextDeadline) }
        for connection in connections {
            if let next = connection.liveness(now: now, readIdleTimeout: healthCheck.readIdleTimeout, pingTimeout: healthCheck.pingTimeout).1 {
                deadlines.append(next)
            }
        }
        guard let nearest = deadlines.min() else { return -1 }
        let remaining = now.duration(to: nearest)
        guard remaining > .zero else { return 0 }
        return Int32(clamping: remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1)
    }

    func shutDown() {
        for submission in waiting { submission.fail(.shutDown) }
        waiting.removeAll()
        for connection in connections {
            connection.session.failAll(with: .shutDown)
            connection.close()
        }
        connections.removeAll()
    }
}
