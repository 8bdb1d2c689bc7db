import Logging
import Synchronization
import TelemetryModel

#if canImport(Glibc)
import Glibc
#endif

/// An HTTP/2 client for one endpoint: h2c with prior knowledge for `http://`, TLS
/// with ALPN `h2` for `https://`. Requests share one connection as concurrent
/// streams. The connection is opened when a request needs it and re-opened after it
/// breaks; a GOAWAY moves new requests to a fresh connection while the old one
/// finishes what the server accepted, and requests the server refused unprocessed
/// are re-sent there. Retrying failed requests is the caller's business: only the
/// caller knows whether a duplicate is acceptable.
///
/// Dead peers (a half-open connection: the peer or a middlebox vanished without a FIN
/// or RST) are found as client-go finds them: while a stream is open and nothing has
/// been read for `HealthCheck.readIdleTimeout`, the client sends a PING; unanswered
/// within `pingTimeout`, the connection is closed and its streams fail with
/// `.connectionLost`, so callers reconnect. A connection with no open stream is never
/// pinged (gRPC servers close connections that ping while idle). A request that runs
/// into its deadline retires its connection: later requests open a new one, and the
/// old one, pinged if streams remain on it, closes once they end.
///
/// All sockets, TLS and nghttp2 state live on one thread of the client's own; the
/// async API hands requests over and resumes when they finish.
public final class HTTP2Client: Sendable {
    public let endpoint: HTTP2Endpoint

    /// What callers hand to the I/O thread; shared by the client and that thread.
    private final class Inbox: Sendable {
        struct Content {
            var submissions: [Submission] = []
            var cancellations: [UInt64] = []
            /// Bytes of streamed responses their readers have taken: (submission, bytes).
            var consumed: [(id: UInt64, bytes: Int)] = []
            var shutDown = false
            var nextID: UInt64 = 1
        }

        let content = Mutex(Content())

        func withLock<Result>(_ body: (inout Content) -> Result) -> Result {
            content.withLock { body(&$0) }
        }
    }

    private let inbox = Inbox()
    private let counters = Counters()

    /// What the client has done since it was created.
    public struct Statistics: Sendable, Equatable {
        /// Connections established (TCP, plus TLS for https).
        public var connectionsOpened = 0
        /// Attempts to connect that failed.
        public var connectFailures = 0
        /// GOAWAYs received.
        public var goAways = 0
        /// Requests re-sent on a new connection because the server refused them unprocessed.
        public var refusedAndResent = 0
        /// PINGs sent to check a connection that had been read-idle with a stream open
        /// (or whose request ran into its deadline).
        public var pingsSent = 0
        /// Connections closed because a PING went unanswered: the peer was gone.
        public var closedForUnansweredPing = 0
        /// Connections no longer given new requests because a request on them timed out.
        public var retiredAfterTimeout = 0
        /// Streams reset because nothing arrived on them for their request's idle timeout
        /// (their connection stayed in use).
        public var idleStreamsTimedOut = 0
        /// Times changed CA, certificate or key files were loaded for new connections.
        public var tlsReloads = 0
        /// Times changed TLS files did not load (the previous ones stayed in use).
        public var tlsReloadFailures = 0
        /// Connects given up because the name lookup had not answered by the connect
        /// deadline (also counted in `connectFailures`).
        public var resolveTimeouts = 0
    }

    /// How the client finds dead connections (client-go's `ReadIdleTimeout` and
    /// `PingTimeout` for the API server's connections).
    public struct HealthCheck: Sendable, Equatable {
        /// With a stream open, a connection that has read nothing for this long gets a
        /// PING. Nil: never (a dead peer then shows only when the kernel gives up, or
        /// when a request's deadline passes).
        public var readIdleTimeout: Duration?
        /// An unanswered PING closes the connection after this.
        public var pingTimeout: Duration

        public init(readIdleTimeout: Duration? = .seconds(30), pingTimeout: Duration = .seconds(15)) {
            self.readIdleTimeout = readIdleTimeout
            self.pingTimeout = pingTimeout
        }
    }

    /// Updated by the I/O thread, read by anyone.
    final class Counters: Sendable {
        let value = Mutex(Statistics())
        func update(_ change: (inout Statistics) -> Void) { value.withLock { change(&$0) } }
    }

    public var statistics: Statistics { counters.value.withLock { $0 } }
    private let wakePipe: WakePipe

    /// Fails when the TLS settings cannot be loaded (a missing CA file, a key that
    /// does not match its certificate) or no thread can be started. `resolver` turns
    /// the host name into addresses, on a thread of its own and within the connect
    /// deadline (the system's getaddrinfo unless a test gives another).
    public init(endpoint: HTTP2Endpoint, tls: TLSConfiguration = TLSConfiguration(), connectTimeout: Duration = .seconds(10),
                healthCheck: HealthCheck = HealthCheck(), resolver: any HostResolver = SystemResolver(),
                logger: Logger = Logger(label: "telegen.http2")) throws {
        // A peer closing its socket must not kill the process: OpenSSL writes with write(2).
        signal(SIGPIPE, SIG_IGN)
        self.endpoint = endpoint
        let context = endpoint.secure ? try TLSContextSource(tls) : nil
        let wakePipe = try WakePipe()
        self.wakePipe = wakePipe
        let loop = IOLoop(endpoint: endpoint, tls: context.map(SendableContext.init), connectTimeout: connectTimeout,
                          healthCheck: healthCheck, resolver: resolver, counters: counters, logger: logger)
        let started = DetachedThread.start { [inbox] in
            loop.run(inbox: { inbox.withLock { box in
                defer { box.submissions.removeAll(); box.cancellations.removeAll(); box.consumed.removeAll() }
                return IOLoop.Inbox(submissions: box.submissions, cancellations: box.cancellations, consumed: box.consumed,
                                    shutDown: box.shutDown)
            } }, wakePipe: wakePipe)
        }
        guard started else {
            throw HTTP2Error.connectFailed("cannot start the client's I/O thread")
        }
    }

    deinit {
        shutdown()
    }

    /// Sends a request and returns the complete response. Cancelling the calling task
    /// resets the stream and throws `.cancelled` at once.
    public func send(_ request: HTTP2Request) async throws(HTTP2Error) -> HTTP2Response {
        let link = CancellationLink()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let id = submit(request, sink: .whole(continuation))
                if link.attach(id) { cancel(id) }
            }
        } onCancel: {
            if let id = link.cancel() { cancel(id) }
        }
        return try result.get()
    }

    /// Sends a request and delivers the response as it arrives. Ending the iteration
    /// early resets the stream. The server sends no further than the stream's flow
    /// control window (1 MiB) ahead of what the iteration has taken, so a slow reader
    /// holds a bounded amount of a response of any length.
    public func stream(_ request: HTTP2Request) -> HTTP2ResponseStream {
        var id: UInt64 = 0
        let parts = AsyncThrowingStream<HTTP2ResponsePart, any Error> { continuation in
            id = submit(request, sink: .parts(continuation))
            continuation.onTermination = { [self, id] termination in
                if case .cancelled = termination { cancel(id) }
            }
        }
        return HTTP2ResponseStream(parts: parts) { [self, id] bytes in
            inbox.withLock { $0.consumed.append((id, bytes)) }
            wake()
        }
    }

    /// Fails everything in flight with `.shutDown` and closes the connection.
    public func shutdown() {
        let first = inbox.withLock { box in
            defer { box.shutDown = true }
            return !box.shutDown
        }
        if first { wake() }
    }

    @discardableResult
    private func submit(_ request: HTTP2Request, sink: ResponseSink) -> UInt64 {
        let deadline = ContinuousClock.now.advanced(by: request.timeout)
        let accepted: UInt64? = inbox.withLock { box in
            guard !box.shutDown else { return nil }
            let id = box.nextID
            box.nextID += 1
            box.submissions.append(Submission(id: id, request: request, deadline: deadline, sink: sink))
            return id
        }
        guard let id = accepted else {
            Submission(id: 0, request: request, deadline: deadline, sink: sink).fail(.shutDown)
            return 0
        }
        wake()
        return id
    }

    private func cancel(_ id: UInt64) {
        inbox.withLock { $0.cancellations.append(id) }
        wake()
    }

    private func wake() {
        wakePipe.wake()
    }
}

/// Joins a task's cancellation to the submission it is waiting for. The cancellation
/// handler can run before the submission has an id (or even before it is made);
/// whichever of the two comes second asks the I/O thread to cancel it, so the request
/// always reaches the I/O thread before its cancellation does.
private final class CancellationLink: Sendable {
    private let state = Mutex<(id: UInt64?, cancelled: Bool)>((nil, false))

    /// Records the submission's id; true when the task was cancelled already.
    func attach(_ id: UInt64) -> Bool {
        state.withLock { state in
            state.id = id
            return state.cancelled
        }
    }

    /// Marks the task cancelled; the id to cancel once the submission has one.
    func cancel() -> UInt64? {
        state.withLock { state in
            state.cancelled = true
            return state.id
        }
    }
}

/// The TLS context source crosses to the I/O thread once, at start, and is used only there.
struct SendableContext: @unchecked Sendable {
    // Safe: the source is made before the I/O thread starts, and from then on only
    // that thread touches it (and the contexts it makes).
    let source: TLSContextSource
}
