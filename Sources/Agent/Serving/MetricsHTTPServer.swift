import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// The Prometheus pull endpoint and health checks on `listen_address`: SwiftNIO's
/// HTTP/1.1 server on a single event loop; expositions are gzipped as they are
/// rendered when the scraper accepts it (`MetricsHTTPHandler`). Each client is held
/// to `kube_metrics.server`'s limits: `ConnectionLimiter` caps the open connections,
/// `ConnectionGuard` enforces the timeouts and the header size, `ExpositionBudget`
/// bounds what responses in flight hold.
struct MetricsHTTPServer: Service {
    let address: ListenAddress
    let endpoints: MetricsEndpoints
    let logger: Logger
    let limits: HTTPServerConfig
    /// Expositions are rendered here, off the event loop and Swift's cooperative pool.
    let renderThreads: NIOThreadPool
    let budget = ExpositionBudget()

    init(address: ListenAddress, endpoints: MetricsEndpoints, logger: Logger, limits: HTTPServerConfig = HTTPServerConfig()) {
        self.address = address
        self.endpoints = endpoints
        self.logger = logger
        self.limits = limits
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

    /// `TCP_NOTSENT_LOWAT`: unsent bytes a connection's socket holds at most.
    static let unsentBytes = 128 << 10

    /// Binds and returns the listening channel (tests bind port 0 and read the port back).
    func bind(group: EventLoopGroup) async throws -> Channel {
        let endpoints = self.endpoints
        let renderThreads = self.renderThreads
        let budget = self.budget
        let limiter = ConnectionLimiter(maximum: limits.maxConnections, selfMetrics: endpoints.selfMetrics)
        let guardLimits = ConnectionGuard.Limits(limits)
        // The guard counts the raw bytes and answers 431 first; the parser's own
        // limits (a 400) only back it up.
        let decoderLimits = {
            var decoderLimits = NIOHTTPDecoderLimitConfiguration()
            decoderLimits.maxHeaderFieldSize = limits.maxHeaderBytes
            decoderLimits.maxHeaderListSize = limits.maxHeaderBytes
            return decoderLimits
        }()
        let bootstrap = ServerBootstrap(group: group)
            // Room for a burst of connections to wait for accept; the cap applies to them then.
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                guard limiter.admit(channel) else {
                    // A reset: a flood of refused connections leaves no TIME_WAIT behind.
                    let provider = channel as? any SocketOptionProvider
                    return (provider?.setSoLinger(linger(l_onoff: 1, l_linger: 0)) ?? channel.eventLoop.makeSucceededVoidFuture())
                        .flatMapErrorThrowing { _ in }
                        .flatMap { channel.close() }
                        .flatMapErrorThrowing { _ in }
                }
                return channel.eventLoop.makeCompletedFuture {
                    let operations = channel.pipeline.syncOperations
                    try operations.configureHTTPServerPipeline(withErrorHandling: true, withEncoderConfiguration: .init(),
                                                               withDecoderLimitConfiguration: decoderLimits)
                    let connection = ConnectionGuard(limits: guardLimits, selfMetrics: endpoints.selfMetrics)
                    try operations.addHandler(connection, position: .first)
                    try operations.addHandler(MetricsHTTPHandler(endpoints: endpoints, renderThreads: renderThreads, budget: budget,
                                                                 connection: connection))
                }
            }
            .childChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            // The kernel takes at most this much of a response beyond what the client's
            // window admits (else up to the 4 MiB send buffer): a client that stops
            // reading stops costing rendering and socket memory after a few hundred KiB.
            .childChannelOption(ChannelOptions.tcpOption(.init(rawValue: TCP_NOTSENT_LOWAT)), value: SocketOptionValue(Self.unsentBytes))
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
