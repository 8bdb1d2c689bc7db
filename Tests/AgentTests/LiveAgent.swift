@testable import Agent
import Logging
import NIOCore
import NIOPosix

/// Telegen's collectors and HTTP server running in the test process, on a port
/// the kernel picked, with one collection cycle already published.
final class LiveAgent: Sendable {
    let agent: Agent
    let baseURL: String
    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel
    /// The pod watch, when the configuration reaches a cluster (`Agent.run` runs it as a service).
    private let watch: Task<Void, Never>?

    init(config: AgentConfig = AgentConfig(), nodeName: String = "test", environment: [String: String] = [:]) async throws {
        let agent = try Agent(config: config, nodeName: nodeName, environment: environment, logger: Logger(label: "test"))
        watch = agent.kubernetes.map { kubernetes in Task { await kubernetes.source.run() } }
        for loop in agent.loops { await loop.runOnce() }
        let server = MetricsHTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0), endpoints: agent.endpoints,
                                       logger: Logger(label: "test"))
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        channel = try await server.bind(group: group)
        self.agent = agent
        baseURL = "http://127.0.0.1:\(channel.localAddress!.port!)"
    }

    func refresh() async {
        for loop in agent.loops { await loop.runOnce() }
    }

    func stop() async throws {
        watch?.cancel()
        agent.kubernetes?.client.shutdown()
        try await channel.close()
        try await group.shutdownGracefully()
    }
}
