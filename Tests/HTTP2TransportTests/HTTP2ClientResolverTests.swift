import Foundation
import HTTP2Transport
import Synchronization
import Testing
import TestSupport

/// Name resolution happens off the client's I/O thread and is bounded by the connect
/// deadline: a resolver that hangs (an unanswering DNS server) delays only the requests
/// waiting for a new connection, never the streams already open.
@Suite(.serialized)
struct HTTP2ClientResolverTests {
    /// A watch streams bookmarks on the first connection; a timed-out request retires
    /// it, so the next request needs a new connection, whose lookup hangs. That request fails at its
    /// deadline, and the watch keeps receiving while the lookup hangs.
    @Test func aHungLookupFailsItsRequestAtTheDeadlineWhileOpenStreamsKeepFlowing() async throws {
        var options = FakeAPIServer.Options()
        options.plaintext = true
        options.requireToken = false
        options.bookmarkInterval = 0.2
        let server = try FakeAPIServer(options)
        defer { server.stop() }
        let resolver = GatedResolver(address: .ipv4("127.0.0.1", port: server.port))
        // Whatever happens, the hung lookup ends: the test never hangs on it.
        let safety = Task {
            try? await Task.sleep(for: .seconds(60))
            resolver.release()
        }
        defer { resolver.release(); safety.cancel() }
        let client = try HTTP2Client(endpoint: HTTP2Endpoint(url: "http://127.0.0.1:\(server.port)"), connectTimeout: .seconds(60),
                                     resolver: resolver)
        defer { client.shutdown() }

        let received = Mutex(0)
        let watch = Task {
            let request = HTTP2Request(method: "GET", path: "/api/v1/pods?watch=1&allowWatchBookmarks=true", timeout: .seconds(60),
                                       maximumResponseBytes: .max)
            for try await part in client.stream(request) {
                if case .body = part { received.withLock { $0 += 1 } }
            }
        }
        defer { watch.cancel() }
        let deadline = ContinuousClock.now.advanced(by: .seconds(20))
        while received.withLock({ $0 }) == 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        try #require(received.withLock { $0 } > 0, "the watch received nothing")

        // A request that runs into its deadline retires the connection: the next one
        // needs a new connection, while the watch stays on the old one.
        await #expect(throws: HTTP2Error.timedOut) {
            let short = HTTP2Request(method: "GET", path: "/api/v1/pods?watch=1", timeout: .milliseconds(500), maximumResponseBytes: .max)
            for try await _ in client.stream(short) {}
        }
        #expect(client.statistics.retiredAfterTimeout == 1)
        let before = received.withLock { $0 }
        let started = ContinuousClock.now
        let outcome = await Task { try await client.send(HTTP2Request(method: "GET", path: "/version", timeout: .seconds(2))) }.result
        let waited = ContinuousClock.now - started
        let during = received.withLock { $0 } - before
        let hung = resolver.calls
        resolver.release()

        do {
            _ = try outcome.get()
            Issue.record("a request whose lookup hung succeeded")
        } catch {
            guard case .connectFailed(let reason)? = error as? HTTP2Error else {
                Issue.record("expected connectFailed, got \(error)")
                return
            }
            #expect(reason.contains("no answer"), "\(reason)")
        }
        #expect(hung == 2, "the second connection's lookup was asked for")
        // The deadline is 2 s; the hung lookup would hold the request for 60 s (the bound
        // is loose: the whole suite can starve this process's cooperative pool for seconds).
        #expect(waited < .seconds(45), "the request waited \(waited) for a hung lookup")
        // Bookmarks every 0.2 s: the open stream kept flowing while the lookup hung.
        #expect(during >= 3, "\(during) parts arrived on the open watch while the lookup hung")
        let statistics = client.statistics
        #expect(statistics.resolveTimeouts == 1 && statistics.connectFailures == 1, "\(statistics)")

        // The lookup answers now: the next request gets its connection.
        #expect(try await client.send(HTTP2Request(method: "GET", path: "/version", timeout: .seconds(20))).status == 200)
        #expect(client.statistics.connectionsOpened == 2)
        print("a hung lookup failed its request after \(waited); \(during) parts arrived meanwhile on the open stream")
    }
}
