#if canImport(Glibc)
import Glibc
#endif

/// The client's I/O thread: connects, moves bytes between sockets and nghttp2, and
/// finishes exchanges. Everything here is confined to that thread.
final class IOLoop: Sendable {
    private let endpoint: HTTP2Endpoint
    private let tls: SendableContext?
    private let connectTimeout: Duration
    private let counters: HTTP2Client.Counters

    /// A request refused unprocessed this often is given up.
    static let maximumRefusals = 3

    init(endpoint: HTTP2Endpoint, tls: SendableContext?, connectTimeout: Duration, counters: HTTP2Client.Counters) {
        self.endpoint = endpoint
        self.tls = tls
        self.connectTimeout = connectTimeout
        self.counters = counters
    }

    func run(inbox: () -> ([Submission], [UInt64], Bool), wakeup: Int32) {
        let state = LoopState(counters: counters)
        while true {
            let (submissions, cancellations, shutDown) = inbox()
            if shutDown {
                state.shutDown()
                return
            }
            state.waiting += submissions
            for id in cancellations { state.cancel(id) }
            state.expire(now: .now)
            if !state.waiting.isEmpty { connectIfNeeded(state) }
            state.submitWaiting(endpoint: endpoint)
            for connection in state.connections { connection.flush() }
            state.collectRefusedAndDead()
            if !state.waiting.isEmpty && state.active == nil { continue }

            var descriptors = [pollfd(fd: wakeup, events: Int16(POLLIN), revents: 0)]
            descriptors += state.connections.map { pollfd(fd: $0.transport.fd, events: $0.pollEvents, revents: 0) }
            let buffered = state.connections.contains { $0.transport.hasBufferedInput }
            let ready = poll(&descriptors, nfds_t(descriptors.count), buffered ? 0 : state.pollTimeout(now: .now))
            if ready < 0 && errno != EINTR { continue }
            if descriptors[0].revents != 0 {
                var drain = [UInt8](repeating: 0, count: 64)
                while read(wakeup, &drain, drain.count) > 0 {}
            }
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

    private func connectIfNeeded(_ state: LoopState) {
        if let active = state.active, !active.isDead, active.session.goAway == nil { return }
        let earliest = state.waiting.map(\.deadline).min() ?? .now
        let deadline = min(earliest, ContinuousClock.now.advanced(by: connectTimeout))
        do throws(HTTP2Error) {
            let socket = try TCPSocket.connect(host: endpoint.host, port: endpoint.port, deadline: deadline)
            var transport: ByteStream = socket
            if let tls {
                transport = try TLSStream(socket: socket, context: tls.context, host: endpoint.host, deadline: deadline)
            }
            state.adopt(try HTTP2Connection(transport: transport))
            counters.update { $0.connectionsOpened += 1 }
        } catch {
            counters.update { $0.connectFailures += 1 }
            // Nothing was sent: every waiting request fails, and the caller decides
            // whether and when to try again.
            for submission in state.waiting { submission.fail(error) }
            state.waiting.removeAll()
        }
    }
}

/// The I/O thread's mutable state.
private final class LoopState {
    var waiting: [Submission] = []
    var connections: [HTTP2Connection] = []
    let counters: HTTP2Client.Counters
    /// Connections whose GOAWAY has been counted.
    private var goAwaysSeen = Set<ObjectIdentifier>()

    init(counters: HTTP2Client.Counters) {
        self.counters = counters
    }

    /// The connection new streams go to: the newest one that is not going away.
    var active: HTTP2Connection? {
        guard let last = connections.last, !last.isDead, last.session.goAway == nil else { return nil }
        return last
    }

    func adopt(_ connection: HTTP2Connection) {
        connections.append(connection)
    }

    func submitWaiting(endpoint: HTTP2Endpoint) {
        guard let active, !waiting.isEmpty else { return }
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

    func cancel(_ id: UInt64) {
        if let index = waiting.firstIndex(where: { $0.id == id }) {
            waiting.remove(at: index).fail(.timedOut)
            return
        }
        for connection in connections {
            if let (streamID, _) = connection.session.streams.first(where: { $0.value.submission.id == id }) {
                connection.session.cancel(streamID: streamID, with: .timedOut)
            }
        }
    }

    func expire(now: ContinuousClock.Instant) {
        waiting.removeAll { submission in
            guard submission.deadline <= now else { return false }
            submission.fail(.timedOut)
            return true
        }
        for connection in connections {
            for (streamID, stream) in connection.session.streams where stream.submission.deadline <= now && !stream.finished {
                connection.session.cancel(streamID: streamID, with: .timedOut)
            }
        }
    }

    /// Milliseconds until the nearest deadline, or -1 when nothing waits.
    func pollTimeout(now: ContinuousClock.Instant) -> Int32 {
        let deadlines = waiting.map(\.deadline) + connections.flatMap { $0.session.streams.values.map(\.submission.deadline) }
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
