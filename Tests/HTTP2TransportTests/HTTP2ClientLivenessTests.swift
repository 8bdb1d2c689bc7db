import Foundation
import HTTP2Transport
import Testing
import TestSupport

/// Dead peers at the connection level: PINGs after read-idle time with a stream open,
/// and connections retired when a request runs into its deadline; through
/// Tests/Python/tcp_proxy.py, which drops bytes without closing anything.
@Suite(.serialized)
struct HTTP2ClientLivenessTests {
    static let fast = HTTP2Client.HealthCheck(readIdleTimeout: .seconds(1), pingTimeout: .seconds(1))

    /// A stream waits on a connection whose path goes silent (no FIN, no RST: the kernel
    /// would take ~15 minutes to notice). The unanswered PING closes it within
    /// readIdleTimeout + pingTimeout, long before the request's own deadline.
    @Test func aBlackholedConnectionIsClosedAfterAnUnansweredPing() async throws {
        let server = try PythonServer(script: "h2_server.py", arguments: ["--mode", "hang"])
        let proxy = try TCPFaultProxy(target: server.port)
        let client = try HTTP2Client(endpoint: HTTP2Endpoint(url: "http://127.0.0.1:\(proxy.port)"), healthCheck: Self.fast)
        defer { client.shutdown() }
        let call = Task { try await client.send(HTTP2ClientLifecycleTests.request(timeout: .seconds(60))) }
        try #require(try await server.waitForRecords(1, timeout: .seconds(30)).count == 1)
        try proxy.blackhole()
        let start = ContinuousClock.now
        let outcome = await call.result
        let detected = ContinuousClock.now - start
        do {
            _ = try outcome.get()
            Issue.record("a request through a blackhole succeeded")
        } catch {
            guard case .connectionLost(let reason)? = error as? HTTP2Error else {
                Issue.record("expected connectionLost, got \(error) after \(detected)")
                return
            }
            #expect(reason.contains("PING"), "\(reason)")
        }
        // 1 s read-idle + 1 s PING timeout (the idle clock may have started up to 1 s
        // before the blackhole); the request's own deadline is 60 s. The bound is loose:
        // the reason above is what proves the PING, and the whole suite can starve this
        // process's cooperative pool for seconds before the result is seen.
        #expect(detected < .seconds(30), "took \(detected)")
        let statistics = client.statistics
        #expect(statistics.closedForUnansweredPing == 1 && statistics.pingsSent >= 1)
        print("blackholed connection detected after \(detected) (read idle 1 s, PING timeout 1 s)")
    }

    /// A server that is alive but slow answers the PINGs: the connection stays, and
    /// the request ends at its own deadline.
    @Test func aSlowLiveServerAnswersPingsAndKeepsItsConnection() async throws {
        let server = try PythonServer(script: "h2_server.py", arguments: ["--mode", "hang"])
        let client = try HTTP2Client(endpoint: HTTP2Endpoint(url: "http://127.0.0.1:\(server.port)"),
                                     healthCheck: HTTP2Client.HealthCheck(readIdleTimeout: .milliseconds(300), pingTimeout: .seconds(1)))
        defer { client.shutdown() }
        await #expect(throws: HTTP2Error.timedOut) {
            _ = try await client.send(HTTP2ClientLifecycleTests.request(timeout: .seconds(3)))
        }
        let statistics = client.statistics
        #expect(statistics.pingsSent >= 2 && statistics.closedForUnansweredPing == 0, "\(statistics)")
    }

    /// gRPC servers police PINGs on idle connections: none is sent without an open
    /// stream, however long the connection sits idle; grpcio keeps the connection.
    @Test func anIdleConnectionIsNeverPinged() async throws {
        let receiver = try OTLPReceiver()
        let client = try HTTP2Client(endpoint: HTTP2Endpoint(url: "http://127.0.0.1:\(receiver.port)"),
                                     healthCheck: HTTP2Client.HealthCheck(readIdleTimeout: .milliseconds(200), pingTimeout: .seconds(1)))
        defer { client.shutdown() }
        let request = HTTP2Request(path: HTTP2ClientTests.exportPath, headers: [("content-type", "application/grpc"), ("te", "trailers")],
                                   body: HTTP2ClientTests.emptyCall)
        for _ in 0..<3 {
            #expect(try await client.send(request).trailer("grpc-status") == "0")
            try await Task.sleep(for: .milliseconds(1500))
        }
        let statistics = client.statistics
        #expect(statistics.pingsSent == 0 && statistics.connectionsOpened == 1, "\(statistics)")
    }

    /// A request that hits its deadline retires its connection: the next request goes
    /// to a new one, and succeeds where the old path is still dead.
    @Test func aTimedOutRequestSendsTheNextOneToAFreshConnection() async throws {
        let server = try PythonServer(script: "h2_server.py", arguments: ["--mode", "ok"])
        let proxy = try TCPFaultProxy(target: server.port)
        // No PINGs: only the deadline can tell.
        let client = try HTTP2Client(endpoint: HTTP2Endpoint(url: "http://127.0.0.1:\(proxy.port)"),
                                     healthCheck: HTTP2Client.HealthCheck(readIdleTimeout: nil))
        defer { client.shutdown() }
        #expect(try await client.send(HTTP2ClientLifecycleTests.request()).status == 200)
        try proxy.stall()
        await #expect(throws: HTTP2Error.timedOut) {
            _ = try await client.send(HTTP2ClientLifecycleTests.request(timeout: .seconds(1)))
        }
        let next = try await client.send(HTTP2ClientLifecycleTests.request(timeout: .seconds(10)))
        #expect(next.status == 200)
        let statistics = client.statistics
        #expect(statistics.connectionsOpened == 2 && statistics.retiredAfterTimeout == 1, "\(statistics)")
        let records = try server.received().filter { $0["bytes"] != nil }
        #expect(records.map { $0["connection"] as? Int } == [1, 2], "\(records)")
    }
}
