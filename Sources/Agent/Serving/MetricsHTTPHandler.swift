import NIOCore
import NIOHTTP1

/// Answers each HTTP request from `MetricsEndpoints`. NIO confines a handler to its
/// channel's event loop, so its mutable request state needs no lock.
final class MetricsHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let endpoints: MetricsEndpoints
    private var request: HTTPRequestHead?

    init(endpoints: MetricsEndpoints) {
        self.endpoints = endpoints
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
                                                 body: Array("method not allowed\n".utf8))
            allow = "GET, HEAD"
        }
        endpoints.selfMetrics.recordHTTPRequest(handler: endpoints.handlerName(for: head.uri.split(separator: "?").first.map(String.init) ?? head.uri),
                                                code: response.status)

        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: response.contentType)
        headers.add(name: "content-length", value: String(response.body.count))
        if let allow { headers.add(name: "allow", value: allow) }
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.add(name: "connection", value: "close") }
        let status = HTTPResponseStatus(statusCode: response.status)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD {
            let buffer = context.channel.allocator.buffer(bytes: response.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
