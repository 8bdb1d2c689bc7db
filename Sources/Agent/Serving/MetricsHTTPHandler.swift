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
/// connections are never held up behind it.
final class MetricsHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// Bytes rendered before they are handed to the connection: large enough that the
    /// hops between render thread and event loop cost little, small enough to hold per
    /// scraper.
    static let chunkSize = 256 * 1024

    private let endpoints: MetricsEndpoints
    private let renderThreads: NIOThreadPool
    private var request: HTTPRequestHead?

    init(endpoints: MetricsEndpoints, renderThreads: NIOThreadPool) {
        self.endpoints = endpoints
        self.renderThreads = renderThreads
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break  // no endpoint takes a body
        case .end:
            guard let head = request else { return }
            request = nil
            respond(to: head, context: context)
        }
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
        endpoints.selfMetrics.recordHTTPRequest(handler: endpoints.handlerName(for: head.uri.split(separator: "?").first.map(String.init) ?? head.uri),
                                                code: response.status)

        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: response.contentType)
        if let fixed = response.fixed { headers.add(name: "content-length", value: String(fixed.count)) }
        // Expositions are compressed as they are rendered when the scraper allows it.
        var gzip: GzipStream?
        if response.exposition != nil {
            headers.add(name: "vary", value: "Accept-Encoding")
            if ContentNegotiation.acceptsGzip(head.headers.first(name: "accept-encoding")), let stream = try? GzipStream() {
                headers.add(name: "content-encoding", value: "gzip")
                gzip = stream
            }
        }
        if let allow { headers.add(name: "allow", value: allow) }
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.add(name: "connection", value: "close") }
        let status = HTTPResponseStatus(statusCode: response.status)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)

        if let exposition = response.exposition, head.method != .HEAD {
            let render = ChunkedRender(exposition, gzip: gzip)
            pump(render, bound: NIOLoopBound((context, self), eventLoop: context.eventLoop), keepAlive: keepAlive)
            return
        }
        if let fixed = response.fixed, head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: fixed)))), promise: nil)
        }
        finish(context: context, keepAlive: keepAlive)
    }

    private func finish(context: ChannelHandlerContext, keepAlive: Bool) {
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
            guard !chunk.isEmpty else { return eventLoop.makeSucceededFuture(true) }
            return context.writeAndFlush(handler.wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: chunk)))))
                .map { true }
        }.whenComplete { result in
            let (context, handler) = bound.value
            switch result {
            case .success(true): handler.pump(render, bound: bound, keepAlive: keepAlive)
            case .success(false):
                handler.finish(context: context, keepAlive: keepAlive)
                if render.rendered > trimAfterBytes { HeapTuning.trim() }
            case .failure: context.close(promise: nil)  // the scraper went away, or the server is stopping
            }
        }
    }
}

/// One exposition being rendered a chunk at a time.
///
/// `@unchecked Sendable`: the handler calls `nextChunk` for a response only after the
/// previous call's chunk was written (each call is chained on the last one's future),
/// so one thread at a time touches the state, with the futures' happens-before between.
private final class ChunkedRender: @unchecked Sendable {
    private var writer: ExpositionWriter
    private var stream: any FamilyStream
    private let gzip: GzipStream?
    private var finished = false
    /// Bytes rendered so far (before compression).
    private(set) var rendered = 0

    init(_ exposition: MetricsEndpoints.Exposition, gzip: GzipStream?) {
        writer = ExpositionWriter(format: exposition.format, capacity: MetricsHTTPHandler.chunkSize + 16 * 1024)
        stream = exposition.makeStream()
        self.gzip = gzip
    }

    /// The next chunk to send, rendered from at least `chunkSize` bytes of text (less
    /// for the last; compressed, it may be empty), or nil when done.
    func nextChunk() -> [UInt8]? {
        guard !finished else { return nil }
        while writer.byteCount < MetricsHTTPHandler.chunkSize {
            if !stream.next(into: &writer) {
                writer.finish()
                finished = true
                break
            }
        }
        rendered += writer.byteCount
        let text = writer.takeBytes()
        guard let gzip else { return text }
        return gzip.compress(text) + (finished ? gzip.finish() : [])
    }
}

/// After an exposition this large, freed buffers are handed back to the system.
private let trimAfterBytes = 16 << 20
