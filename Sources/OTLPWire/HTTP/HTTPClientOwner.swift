import AsyncHTTPClient
import Dispatch
import NIOPosix
import Synchronization

/// Owns the transport's HTTPClient (and the event loop thread, when the transport made
/// its own) and shuts them down exactly once: through `shutdown()`, or, if the
/// transport goes away without it (a setup that failed half-way, a test that stopped
/// early), from `deinit`. AsyncHTTPClient requires its clients to be shut down, and a
/// forgotten event loop group would keep its thread for the life of the process.
final class HTTPClientOwner: Sendable {
    let client: HTTPClient
    /// Nil when the caller supplied the event loop group (it stays the caller's).
    private let ownedGroup: MultiThreadedEventLoopGroup?
    private let closed = Atomic<Bool>(false)

    init(_ client: HTTPClient, ownedGroup: MultiThreadedEventLoopGroup?) {
        self.client = client
        self.ownedGroup = ownedGroup
    }

    /// Once true, the client and its event loop may be gone: nothing may be sent.
    var isShutDown: Bool { closed.load(ordering: .acquiring) }

    func shutdown() async {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        // Errors here mean "already shut down" or "a connection closed uncleanly": nothing
        // is left to release either way.
        try? await client.shutdown()
        try? await ownedGroup?.shutdownGracefully()
    }

    deinit {
        guard !closed.load(ordering: .acquiring) else { return }
        let group = ownedGroup
        // The client's shutdown completes on one of the group's event loops; the group
        // cannot be shut down from its own thread, so that step hops to a dispatch queue.
        client.shutdown().whenComplete { _ in
            DispatchQueue.global().async { group?.shutdownGracefully { _ in } }
        }
    }
}
