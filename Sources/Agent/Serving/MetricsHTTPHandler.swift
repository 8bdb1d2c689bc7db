import NIOCore
import NIOHTTP1
import NIOPosix
import OTLPWire
import TelemetryModel

/// Answers each HTTP request from `MetricsEndpoints`. NIO confines a handler to its
/// channel's event loop, so its mutable request state needs no lock.
///
/// An exposition is rendered on the server's render threads (neither the event loop
/// nor Swift's cooperative pool), a chunk at a time, and the next chunk is rendered
/// only once the previous one has reached the socket: a slow scraper slows its own
/// rendering down instead of making the agent buffer a whole exposition, and other
/// connections are never held up behind it. The chunk size and whether to gzip come
/// from the server's `ExpositionBudget`, so many slow scrapers together hold a bounded
/// amount of memory.
final class MetricsHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// The largest chunk of text rendered before it is handed to the connection.
    static let chunkSize = ExpositionBudget.largestChunk

    private let endpoints: MetricsEndpoints
    private let renderThreads: NIOThreadPool
    private let budget: ExpositionBudget
    private let connection: ConnectionGuard
    private var request: HTTPRequestHead?
    /// The request was answered at its head (it has a body): its remaining parts are dropped.
    private var discarding = false

    init(endpoints: MetricsEndpoints, renderThreads: NIOThreadPool, budget: ExpositionBudget, connection: ConnectionGuard) {
        self.endpoints = endpoints
        self.renderThreads = renderThreads
        self.budget = budget
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            connection.requestStarted()
            if Self.hasBody(head) {
                discarding = true
                refuseBody(head, context: context)
            } else {
                discarding = false
                request = head
            }
        case .body:
            break  // only a request refused at its head has one
        case .end:
            guard !discarding, let head = request else { return }
            request = nil
            respond(to: head, context: context)
        }
    }

    /// The parser's 400 (`HTTPServerProtocolErrorHandler`) went out; the connection
    /// closes. A request cut short because the guard closed its connection also ends
    /// in a parser error, and is already counted there.
    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if error is HTTPParserError && !connection.isClosing { endpoints.selfMetrics.record(.requestRejected(.malformed)) }
        context.close(promise: nil)
    }

    /// No endpoint takes a body, so one is not read: a GET with a body of any size
    /// is answered at once with 413, anything else with 405, and the connection closed.
    private static func hasBody(_ head: HTTPRequestHead) -> Bool {
        if head.headers.contains(name: "transfer-encoding") { return true }
        return head.headers["content-length"].contains { value in value.contains { $0 != "0" && $0 != " " && $0 != "\t" } }
    }

    private func refuseBody(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let status: HTTPResponseStatus
        let text: String
        var headers = HTTPHeaders()
        if head.method == .GET || head.method == .HEAD {
            status = .payloadTooLarge
            text = "no endpoint takes a request body\n"
            endpoints.selfMetrics.record(.requestRejected(.body))
        } else {
            status = .methodNotAllowed
            text = "method not allowed\n"
            headers.add(name: "allow", value: "GET, HEAD")
        }
        endpoints.selfMetrics.recordHTTPRequest(handler: endpoints.handlerName(for: Self.path(of: head)), code: Int(status.code))
        headers.add(name: "content-type", value: "text/plain; charset=utf-8")
        headers.add(name: "content-length", value: String(text.utf8.count))
        headers.add(name: "connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: text)))), promise: nil)
        connection.closeAfterResponse(context.writeAndFlush(wrapOutboundOut(.end(nil))))
    }

    private static func path(of head: HTTPRequestHead) -> String {
        head.uri.split(separator: "?").first.map(String.init) ?? head.uri
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let response: MetricsEndpoints.Response
        var allow: String?
        if head.method == .GET || head.method == .HEAD {
            response = endpoints.respond(path: head.uri, accept: head.headers.first(name: "accept"))
        } else {
            response = MetricsEndpoints.Response(status: 405, contentType: "text/plain; charset=utf-8",
                                                 fixed: Array("method not allowed\n".utf8))
            allow = "GET, HEAD"
        }
        endpoints.selfMetrics.recordHTTPRequest(handler: endpoints.handlerName(for: Self.path(of: head)), code: response.status)

        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: response.contentType)
        if let fixed = response.fixed { headers.add(name: "content-length", value: String(fixed.count)) }
        // Expositions are compressed as they are rendered when the scraper allows it
        // and the budget has a zlib stream to spare.
        var grant: ExpositionBudget.Grant?
        if response.exposition != nil, head.method != .HEAD {
            headers.add(name: "vary", value: "Accept-Encoding")
            let granted = budget.grant(wantsGzip: ContentNegotiation.acceptsGzip(head.headers.first(name: "accept-encoding")))
            grant = granted
            if granted.gzip { headers.add(name: "content-encoding", value: "gzip") }
        } else if response.exposition != nil {
            headers.add(name: "vary", value: "Accept-Encoding")
        }
        if let allow { headers.add(name: "allow", value: allow) }
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.add(name: "connection", value: "close") }
        let status = HTTPResponseStatus(statusCode: response.status)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)

        if let exposition = response.exposition, let grant {
            let render = ChunkedRender(exposition, grant: grant, budget: budget, allocator: context.channel.allocator)
            pump(render, bound: NIOLoopBound((context, self), eventLoop: context.eventLoop), keepAlive: keepAlive)
            return
        }
        if let fixed = response.fixed, head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: fixed)))), promise: nil)
        }
        finish(context: context, keepAlive: keepAlive)
    }

    private func finish(context: ChannelHandlerContext, keepAlive: Bool) {
        // Before the end is written: writing it may hand over a pipelined request.
        connection.responseFinished()
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    /// Renders the next chunk on a render thread, writes it, and once it is written
    /// goes on with the next; ends the response after the last.
    private func pump(_ render: ChunkedRender, bound: NIOLoopBound<(ChannelHandlerContext, MetricsHTTPHandler)>, keepAlive: Bool) {
        let eventLoop = bound.eventLoop
        renderThreads.runIfActive(eventLoop: eventLoop) { render.nextChunk() }.flatMap { chunk in
            let (context, handler) = bound.value
            guard let chunk else { return eventLoop.makeSucceededFuture(false) }
            guard chunk.readableBytes > 0 else { return eventLoop.makeSucceededFuture(true) }
            return context.writeAndFlush(handler.wrapOutboundOut(.body(.byteBuffer(chunk)))).map { true }
        }.whenComplete { result in
            let (context, handler) = bound.value
            switch result {
            case .success(true):
                handler.connection.responseProgressed()
                handler.pump(render, bound: bound, keepAlive: keepAlive)
            case .success(false):
                handler.finish(context: context, keepAlive: keepAlive)
                if render.rendered > trimAfterBytes { HeapTuning.trim() }
            case .failure: context.close(promise: nil)  // the scraper went away, or the server is stopping
            }
        }
    }
}

/// One exposition being rendered a chunk at a time, holding its `ExpositionBudget`
/// grant until it is released.
///
/// `@unchecked Sendable`: the handler calls `nextChunk` for a response only after the
/// previous call's chunk was written (each call is chained on the last one's future),
/// so one thread at a time touches the state, with the futures' happens-before between.
private final class ChunkedRender: @unchecked Sendable {
    /// What a response renders with, made by the first chunk: on a render thread,
    /// not the event loop, and seeing the stores as they are when rendering begins.
    private struct State {
        var writer: ExpositionWriter
        var stream: any FamilyStream
        let gzip: GzipStream?
    }

    private let exposition: MetricsEndpoints.Exposition
    private var state: State?
    private let grant: ExpositionBudget.Grant
    private let budget: ExpositionBudget
    private let allocator: ByteBufferAllocator
    private var finished = false
    /// Bytes rendered so far (before compression).
    private(set) var rendered = 0

    init(_ exposition: MetricsEndpoints.Exposition, grant: ExpositionBudget.Grant, budget: ExpositionBudget,
         allocator: ByteBufferAllocator) {
        self.exposition = exposition
        self.grant = grant
        self.budget = budget
        self.allocator = allocator
    }

    deinit {
        budget.release(grant)
    }

    /// The next chunk to send, rendered from at least the granted chunk size of text
    /// (less for the last; compressed, it may be empty), or nil when done. The copy
    /// into a buffer the socket can take is made here, off the event loop.
    func nextChunk() -> ByteBuffer? {
        guard !finished else { return nil }
        RenderThreads.yieldToEventLoop()
        var gzip = self.state?.gzip
        if self.state == nil && grant.gzip {
            // The header already says gzip: without a zlib stream (out of memory) the
            // response ends empty rather than uncompressed.
            guard let stream = try? GzipStream() else {
                finished = true
                return nil
            }
            gzip = stream
        }
        var state = self.state ?? State(
            writer: ExpositionWriter(format: exposition.format, capacity: grant.chunkSize + 16 * 1024),
            stream: exposition.makeStream(),
            gzip: gzip)
        self.state = nil
        defer { self.state = state }
        while state.writer.byteCount < grant.chunkSize {
            if !state.stream.next(into: &state.writer) {
                state.writer.finish()
                finished = true
                break
            }
        }
        rendered += state.writer.byteCount
        let (allocator, finished) = (allocator, finished)
        guard let gzip = state.gzip else { return state.writer.drainBytes { allocator.buffer(bytes: $0) } }
        return allocator.buffer(bytes: state.writer.drainBytes { gzip.compress($0) } + (finished ? gzip.finish() : []))
    }
}

/// After an exposition this large, freed buffers are handed back to the system.
private let trimAfterBytes = 16 << 20
