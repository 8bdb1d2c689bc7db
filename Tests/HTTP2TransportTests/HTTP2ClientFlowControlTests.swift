import HTTP2Transport
import Testing
import TestSupport

/// A streamed response is read at its reader's pace: the server's flow-control window
/// reopens as the reader takes parts, not as they arrive, so a reader that pauses holds
/// at most a window of a response of any length (a LIST of every pod in a cluster).
@Suite(.serialized)
struct HTTP2ClientFlowControlTests {
    @Test func aPausedReaderStopsTheServerWithinTheWindowAndTheRestStillArrives() async throws {
        let total = 24 << 20  // past the connection's 16 MiB window too
        let server = try PythonServer(script: "h2_server.py", arguments: ["--mode", "flood", "--flood-bytes", "\(total)"])
        let client = try HTTP2Client(endpoint: HTTP2Endpoint(url: "http://127.0.0.1:\(server.port)"))
        defer { client.shutdown() }
        let request = HTTP2Request(method: "GET", path: "/flood", timeout: .seconds(120), maximumResponseBytes: Int.max)
        var parts = client.stream(request).makeAsyncIterator()
        guard case .head(let status, _)? = try await parts.next() else {
            Issue.record("no response head")
            return
        }
        #expect(status == 200)
        var received = 0
        if case .body(let bytes)? = try await parts.next() { received += bytes.count }
        // The reader pauses; a server not held back would send all 24 MiB meanwhile.
        try await Task.sleep(for: .seconds(2))
        let sent = try server.received().compactMap { $0["sent"] as? Int }.max() ?? 0
        #expect(sent > 0 && sent <= 1 << 20, "the server sent \(sent) bytes to a reader that took \(received)")
        while let part = try await parts.next() {
            if case .body(let bytes) = part { received += bytes.count }
        }
        #expect(received == total)
    }

    /// The DATA frames of one read reach the reader as one part, never more than 256 KiB:
    /// a part per frame (at most 16 KiB here) woke the reader for each.
    @Test func partsGatherTheFramesOfOneReadUpToABound() async throws {
        let total = 8 << 20
        let server = try PythonServer(script: "h2_server.py", arguments: ["--mode", "flood", "--flood-bytes", "\(total)"])
        let client = try HTTP2Client(endpoint: HTTP2Endpoint(url: "http://127.0.0.1:\(server.port)"))
        defer { client.shutdown() }
        let request = HTTP2Request(method: "GET", path: "/flood", timeout: .seconds(120), maximumResponseBytes: Int.max)
        var received = 0, parts = 0, largest = 0, oversized = 0
        for try await part in client.stream(request) {
            guard case .body(let bytes) = part else { continue }
            received += bytes.count
            parts += 1
            largest = max(largest, bytes.count)
            // A part is gathered in a buffer for a whole batch; one that fills less
            // than half of it must come as its own copy, not holding the batch.
            if bytes.capacity > max(2 * bytes.count, 64) { oversized += 1 }
        }
        #expect(oversized == 0, "\(oversized) of \(parts) parts hold more than twice their bytes")
        #expect(received == total)
        #expect(largest <= 256 << 10, "a part of \(largest) bytes")
        // The server sends a window at a time, so reads bring many frames.
        #expect(largest > 16 << 10, "no part held more than one frame (\(parts) parts for \(received) bytes)")
    }
}
