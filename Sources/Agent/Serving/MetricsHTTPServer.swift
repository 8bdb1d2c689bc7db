import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// The Prometheus pull endpoint and health checks on `listen_address`: SwiftNIO's
/// HTTP/1.1 server on a single event loop; expositions are gzipped as they are
/// rendered when the scraper accepts it (`MetricsHTTPHandler`).
struct MetricsHTTPServer: Service {
    let address: ListenAddress
    let endpoints: MetricsEndpoints
    let logger: Logger
    /// Expositions are rendered here, off the event loop and Swift's cooperative pool.
    let renderThreads: NIOThreadPool

    init(address: ListenAddress, endpoints: MetricsEndpoints, logger: Logger) {
        self.address = address
        self.endpoints = endpoints
        self.logger = logger
        renderThreads = NIOThreadPool(numberOfThreads: 2)
        renderThreads.start()
    }

    func run() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let channel: Channel
        do {
            channel = try await bind(group: group)
        } catch {
            try? await group.shutdownGracefully()
            try? await renderThreads.shutdownGracefully()
            throw MetricsServerError(address: address, underlying: error)
        }
        let local = channel.localAddress.map { "\($0)" } ?? "\(address)"
        logger.info("serving metrics", metadata: ["address": "\(local)"])
        await withGracefulShutdownHandler {
            try? await channel.closeFuture.get()
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
        try? await group.shutdownGracefully()
        try? await renderThreads.shutdownGracefully()
    }

    /// Binds and returns the listening channel (tests bind port 0 and read the port back).
    func bind(group: EventLoopGroup) async throws -> Channel {
        let endpoints = self.endpoints
        let renderThreads = self.renderThreads
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let operations = channel.pipeline.syncOperations
                    try operations.configureHTTPServerPipeline(withErrorHandling: true)
                    try operations.addHandler(MetricsHTTPHandler(endpoints: endpoints, renderThreads: renderThreads))
                }
            }
            .childChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
        if let host = address.host {
            return try await bootstrap.bind(host: host, port: address.port).get()
        }
        // No host means every interface: IPv6 with IPv4 mapped, or IPv4 alone where
        // the kernel has IPv6 disabled.
        do {
            return try await bootstrap.bind(host: "::", port: address.port).get()
        } catch {
            return try await bootstrap.bind(host: "0.0.0.0", port: address.port).get()
        }
    }
}

struct MetricsServerError: Error, CustomStringConvertible {
    var address: ListenAddress
    var underlying: Error

    var description: String { "cannot listen on \(address): \(underlying)" }
}
