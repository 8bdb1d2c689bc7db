import Foundation
import Synchronization
import HTTP2Transport
import Testing
import TestSupport

/// How requests end when nothing answers them: task cancellation, client shutdown,
/// and interim (1xx) responses, against hyper-h2 (Tests/Python/h2_server.py).
@Suite(.serialized)
struct HTTP2ClientLifecycleTests {
    static let emptyCall: [UInt8] = [0, 0, 0, 0, 0]

    static func request(timeout: Duration = .seconds(10)) -> HTTP2Request {
        HTTP2Request(path: "/telegen.Test/Call", headers: [("content-type", "application/grpc"), ("te", "trailers")],
                     body: emptyCall, timeout: timeout)
    }

    @Test func cancellingTheTaskEndsSendAtOnceAndResetsTheStream() async throws {
        let server = try PythonServer(script: "h2_server.py", arguments: ["--mode", "hang"])
        let client = try HTTP2Client(endpoint: HTTP2Endpoint(url: "http://127.0.0.1:\(server.port)"))
        defer { client.shutdown() }
        // The deadline is far enough that only the cancellation can end the call in time.
        let task = Task { try await client.send(Self.request(timeout: .seconds(120))) }
        let arrived = try await server.waitForRecords(1, timeout: .seconds(10))
        try #require(arrived.count == 1, "the request never reached the server")
        let stream = try #require(arrived[0]["stream"] as? Int)
        let start = ContinuousClock.now
        task.cancel()
        let outcome = await task.result
        let elapsed = ContinuousClock.now - start
        // Loose: the test process's pool may be starved for seconds in the full suite, so
        // the deadline is far off: without cancellation the call would wait its 120 s.
        #expect(elapsed < .seconds(60), "cancellation took \(elapsed)")
        #expect(throws: HTTP2Error.cancelled) { try outcome.get() }
        // The server sees the stream reset with CANCEL (8), so it stops working on it.
        let records = try await server.waitForRecords(2, timeout: .seconds(5))
        #expect(records.contains { $0["reset"] as? Int == 8 && $0["stream"] as? Int == stream }, "\(records)")
    }

    @Test func aTaskCancelledBeforeSendingNeverWaits() async throws {
        let server = try PythonServer(script: "h2_server.py", arguments: ["--mode", "hang"])
        let client = try HTTP2Client(endpoint: HTTP2Endpoint(url: "http://127.0.0.1:\(server.port)"))
        defer { client.shutdown() }
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await client.send(Self.request(timeout: .seconds(120)))
        }
        let start = ContinuousClock.now
        let outcome = await task.result
        // Far below the 120 s deadline: CI once starved this test's pool for 5 s.
        #expect(ContinuousClock.now - start < .seconds(60))
        #expect(throws: HTTP2Error.cancelled) { try outcome.get() }
    }

    @Test func cancellingAStreamConsumerResetsTheStream() async throws {
        let server = try PythonServer(script: "h2_server.py", arguments: ["--mode", "hang"])
        let client = try HTTP2Client(endpoint: HTTP2Endpoint(url: "http://127.0.0.1:\(server.port)"))
        defer { client.shutdown() }
        let task = Task {
            for try await _ in client.stream(Self.request(timeout: .seconds(8))) {}
        }
        let arrived = try await server.waitForRecords(1, timeout: .seconds(10))
        try #require(arrived.count == 1)
        task.cancel()
        _ = await task.result
        let records = try await server.waitForRecords(2, timeout: .seconds(5))
        #expect(records.contains { $0["reset"] as? Int == 8 }, "\(records)")
    }

    /// Requests handed over in the same moment as `shutdown()` each get an answer (an
    /// error, or a response if they made it): none is left waiting forever.
    @Test func requestsRacingShutdownAreAllAnswered() async throws {
        let server = try PythonServer(script: "h2_server.py", arguments: ["--mode", "ok"])
        let endpoint = try HTTP2Endpoint(url: "http://127.0.0.1:\(server.port)")
        for round in 0..<20 {
            let client = try HTTP2Client(endpoint: endpoint)
            if round.isMultiple(of: 2) {
                // With a connection already open, as in a running agent.
                _ = try await client.send(Self.request())
            }
            let streams = (0..<4).map { _ in client.stream(Self.request(timeout: .seconds(30))) }
            let sends = (0..<4).map { _ in Task { try await client.send(Self.request(timeout: .seconds(30))) } }
            client.shutdown()
            let answered = await within(.seconds(5)) {
                await withTaskGroup(of: Void.self) { group in
                    for stream in streams {
                        group.addTask { do { for try await _ in stream {} } catch {} }
                    }
                    for send in sends { group.addTask { _ = await send.result } }
                }
            }
            #expect(answered, "round \(round): a request submitted during shutdown was never answered")
            if !answered { return }
        }
        // After shutdown, a request fails at once.
        let client = try HTTP2Client(endpoint: endpoint)
        client.shutdown()
        await #expect(throws: HTTP2Error.shutDown) { _ = try await client.send(Self.request()) }
    }

    /// 1xx responses (103 Early Hints, 100 Continue) come before the final one and are
    /// not it: their headers do not leak into the response.
    @Test func interimResponsesAreSkipped() async throws {
        let server = try PythonServer(script: "h2_server.py", arguments: ["--mode", "informational"])
        let client = try HTTP2Client(endpoint: HTTP2Endpoint(url: "http://127.0.0.1:\(server.port)"))
        defer { client.shutdown() }
        let response = try await client.send(Self.request())
        #expect(response.status == 200)
        #expect(response.header("link") == nil)
        #expect(response.header("content-type") == "application/grpc")
        #expect(response.trailer("grpc-status") == "0")
        #expect(response.body == Self.emptyCall)

        var parts: [HTTP2ResponsePart] = []
        for try await part in client.stream(Self.request()) { parts.append(part) }
        guard case .head(let status, let headers)? = parts.first else {
            Issue.record("no head first: \(parts)")
            return
        }
        #expect(status == 200 && !headers.contains { $0.name == "link" })
    }
}

/// Runs `body`, waiting at most `limit` for it; true when it finished in time. A body
/// that never finishes is left running (it cannot be made to stop from here), so a
/// hang fails the test instead of hanging it.
func within(_ limit: Duration, _ body: @escaping @Sendable () async -> Void) async -> Bool {
    final class Once: Sendable {
        let continuation: CheckedContinuation<Bool, Never>
        let decided = Atomic(false)
        init(_ continuation: CheckedContinuation<Bool, Never>) { self.continuation = continuation }
        func decide(_ value: Bool) {
            if !decided.exchange(true, ordering: .acquiringAndReleasing) { continuation.resume(returning: value) }
        }
    }
    return await withCheckedContinuation { continuation in
        let once = Once(continuation)
        Task {
            await body()
            once.decide(true)
        }
        Task {
            try? await Task.sleep(for: limit)
            once.decide(false)
        }
    }
}
