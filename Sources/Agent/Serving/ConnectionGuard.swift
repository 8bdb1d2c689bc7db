import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// The first handler of every connection, on its raw bytes before HTTP parsing:
/// holds each client to `kube_metrics.server`'s limits, as Go's `http.Server` does
/// with `ReadHeaderTimeout`, `IdleTimeout` and `MaxHeaderBytes`.
///
/// - A request's line and headers must arrive within `readHeaderTimeout` of its first
///   byte (of the connection's start, for the first request), whatever trickles in
///   meanwhile: a slowloris client is closed at the deadline.
/// - They may take `maxHeaderBytes` at most; past that the client gets a 431 and the
///   connection is closed, before the parser has buffered more.
/// - A connection on which nothing moved either way for `idleTimeout` is closed: an
///   idle keep-alive connection, or a scraper that stopped reading its response.
///   Movement is what this handler sees (bytes read, chunks the socket took) and what
///   the kernel counts (`TCPTraffic`), which also shows a response that sits in socket
///   buffers being read. A stalled response is closed with a reset, so the kernel
///   drops what it still held for that client.
///
/// `MetricsHTTPHandler` reports where each request is (`requestStarted`,
/// `responseFinished`, `responseProgressed`). Everything runs on the channel's event
/// loop, so the state needs no lock.
final class ConnectionGuard: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    struct Limits: Sendable {
        var idleTimeout: TimeAmount
        var readHeaderTimeout: TimeAmount
        var maxHeaderBytes: Int

        init(_ config: HTTPServerConfig) {
            idleTimeout = TimeAmount(config.idleTimeout)
            readHeaderTimeout = TimeAmount(config.readHeaderTimeout)
            maxHeaderBytes = config.maxHeaderBytes
        }
    }

    private enum Phase {
        /// Between requests: `bytes` of the next one have arrived.
        case awaitingRequest(bytes: Int)
        /// A request's head was parsed; its response is being sent.
        case responding
        /// Refused: what arrives is dropped until the connection closes.
        case closing
    }

    /// How long a refused client gets to read the error before the connection is
    /// closed (Go's server waits 500 ms): closing with its request still unread would
    /// reset the connection and could take the answer with it.
    static let lingerAfterRefusal = TimeAmount.seconds(1)

    private let limits: Limits
    private let selfMetrics: SelfMetrics
    private var phase = Phase.awaitingRequest(bytes: 0)
    private var context: ChannelHandlerContext?
    private var headerDeadline: Scheduled<Void>?
    private var idleCheck: RepeatedTask?
    private var lastMovement = NIODeadline.now()
    private var lastTraffic: TCPTraffic?

    init(limits: Limits, selfMetrics: SelfMetrics) {
        self.limits = limits
        self.selfMetrics = selfMetrics
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopTimers()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopTimers()
        context.fireChannelInactive()
    }

    /// Starts the first request's header clock and the idle checks (once).
    private func start(_ context: ChannelHandlerContext) {
        guard idleCheck == nil else { return }
        lastMovement = .now()
        startHeaderClock(context)
        // Checked four times per timeout: a connection is closed between `idleTimeout`
        // and a quarter more after the last movement.
        let period = max(TimeAmount.milliseconds(50), min(TimeAmount.seconds(5), TimeAmount.nanoseconds(limits.idleTimeout.nanoseconds / 4)))
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        idleCheck = context.eventLoop.scheduleRepeatedTask(initialDelay: period, delay: period) { _ in
            bound.value.checkIdle()
        }
        TCPTraffic.of(context.channel).whenSuccess { bound.value.lastTraffic = $0 }
    }

    private func startHeaderClock(_ context: ChannelHandlerContext) {
        headerDeadline?.cancel()
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        headerDeadline = context.eventLoop.scheduleTask(in: limits.readHeaderTimeout) {
            bound.value.timedOut(.readHeader)
        }
    }

    private func stopTimers() {
        headerDeadline?.cancel()
        headerDeadline = nil
        idleCheck?.cancel()
        idleCheck = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data).readableBytes
        lastMovement = .now()
        switch phase {
        case .closing:
            return
        case .awaitingRequest(let sofar):
            // After a response the header clock starts with the next request's first byte.
            if sofar == 0 && headerDeadline == nil { startHeaderClock(context) }
            let total = sofar + bytes
            guard total <= limits.maxHeaderBytes else {
                refuse(status: "431 Request Header Fields Too Large", body: "request line and headers exceed \(limits.maxHeaderBytes) bytes\n")
                selfMetrics.record(.requestRejected(.headerTooLarge))
                return
            }
            phase = .awaitingRequest(bytes: total)
        case .responding:
            break
        }
        context.fireChannelRead(data)
    }

    /// Refused or timed out: the connection is on its way out, and a request it cut
    /// short is not also a malformed one.
    var isClosing: Bool {
        if case .closing = phase { return true }
        return false
    }

    // MARK: What MetricsHTTPHandler reports

    /// A request's head was parsed: its header clock stops.
    func requestStarted() {
        guard case .awaitingRequest = phase else { return }
        phase = .responding
        headerDeadline?.cancel()
        headerDeadline = nil
    }

    /// The response was written in full; the connection waits for the next request.
    func responseFinished() {
        guard case .responding = phase else { return }
        phase = .awaitingRequest(bytes: 0)
        lastMovement = .now()
    }

    /// The socket took another piece of the response.
    func responseProgressed() {
        lastMovement = .now()
    }

    /// Answers with a bare HTTP/1.1 error (bypassing the HTTP handlers, whose state is
    /// unknown here), lets the client read it, and closes.
    func refuse(status: String, body: String) {
        guard let context else { return }
        if case .closing = phase { return }
        phase = .closing
        stopTimers()
        let text = "HTTP/1.1 \(status)\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: \(body.utf8.count)\r\n"
            + "connection: close\r\n\r\n\(body)"
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text))).whenComplete { _ in
            channel.close(mode: .output, promise: nil)
        }
        context.eventLoop.scheduleTask(in: Self.lingerAfterRefusal) { channel.close(promise: nil) }
    }

    /// Closes the connection once what was written is out, reading and dropping what
    /// the client still sends for a moment (see `lingerAfterRefusal`).
    func closeAfterResponse(_ written: EventLoopFuture<Void>) {
        guard let context else { return }
        phase = .closing
        stopTimers()
        let channel = context.channel
        written.whenComplete { _ in channel.close(mode: .output, promise: nil) }
        context.eventLoop.scheduleTask(in: Self.lingerAfterRefusal) { channel.close(promise: nil) }
    }

    // MARK: Timeouts

    private func checkIdle() {
        guard let context else { return }
        let now = NIODeadline.now()
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        TCPTraffic.of(context.channel).whenSuccess { traffic in
            let guardian = bound.value
            if let traffic, traffic != guardian.lastTraffic {
                guardian.lastTraffic = traffic
                guardian.lastMovement = now
            }
            if now - guardian.lastMovement >= guardian.limits.idleTimeout { guardian.timedOut(.idle) }
        }
    }

    private func timedOut(_ timeout: HTTPServerEvent.Timeout) {
        guard let context else { return }
        if case .closing = phase { return }
        let stalledResponse: Bool
        if case .responding = phase { stalledResponse = true } else { stalledResponse = false }
        phase = .closing
        stopTimers()
        selfMetrics.record(.timedOut(timeout))
        let channel = context.channel
        // A reset rather than a FIN: the kernel would otherwise keep trying to deliver
        // what it holds of the response to a client that does not read it.
        if stalledResponse, let provider = channel as? any SocketOptionProvider {
            provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
        } else {
            channel.close(promise: nil)
        }
    }
}
