import Foundation
import HTTP2Transport
@testable import KubeWatch
import Logging
import Testing
import TestSupport

/// `LeaderElector` against the fake API server's Leases (GET, POST, PUT with
/// resourceVersion preconditions, 409 on a stale write, 422 on an update without a
/// resourceVersion): client-go's algorithm, observed from the server's side.
@Suite(.serialized)
struct LeaderElectorTests {
    /// Lease 3 s, renew deadline 2 s, retry 500 ms. Lower bounds below are the safety
    /// properties and are exact; upper bounds are liveness, with room for a loaded machine.
    final class Candidate: Sendable {
        let elector: LeaderElector
        let client: HTTP2Client
        private let task: Task<Void, Never>

        init(_ server: FakeAPIServer, identity: String, renewDeadline: Duration = .seconds(2)) throws {
            let access = try #require(try ClusterAccess.resolve(flag: try server.writeKubeconfig(), configured: "", environment: [:]))
            client = try HTTP2Client(endpoint: access.endpoint, tls: access.tls)
            var settings = LeaderElectionSettings(namespace: "monitoring", name: "telegen", identity: identity)
            settings.leaseDuration = renewDeadline + .seconds(1)
            settings.renewDeadline = renewDeadline
            settings.retryPeriod = .milliseconds(500)
            let lease = LeaseClient(client: client, token: BearerToken(credential: access.credential), namespace: "monitoring",
                                    name: "telegen", userAgent: "test")
            elector = LeaderElector(client: lease, settings: settings, logger: Logger(label: "test"))
            task = Task { [elector] in await elector.run() }
        }

        /// Cancels the election (which releases a held Lease) and waits for it.
        func stop() async {
            task.cancel()
            await task.value
            client.shutdown()
        }
    }

    static func lease(_ server: FakeAPIServer) throws -> [String: Any] {
        try server.object("/apis/coordination.k8s.io/v1/namespaces/monitoring/leases/telegen")
    }

    static func spec(_ server: FakeAPIServer) throws -> [String: Any] {
        try lease(server)["spec"] as? [String: Any] ?? [:]
    }

    /// A Lease held by `holder`, renewed at `renewTime` (by someone else's clock).
    static func putLease(_ server: FakeAPIServer, holder: String, renewTime: String, annotations: [String: String] = [:]) throws {
        try server.upsert(resource: "leases", group: "coordination.k8s.io", version: "v1", object: [
            "metadata": ["name": "telegen", "namespace": "monitoring", "annotations": annotations],
            "spec": ["holderIdentity": holder, "leaseDurationSeconds": 2, "acquireTime": renewTime, "renewTime": renewTime,
                     "leaseTransitions": 3],
        ])
    }

    static func waitUntil(_ timeout: Duration, _ condition: () -> Bool) async throws -> Duration? {
        let start = ContinuousClock.now
        while !condition() {
            if ContinuousClock.now - start > timeout { return nil }
            try await Task.sleep(for: .milliseconds(20))
        }
        return ContinuousClock.now - start
    }

    static func leaseWrites(_ server: FakeAPIServer) throws -> [(method: String, status: Int)] {
        try server.requests().filter { $0["resource"] as? String == "leases" && $0["method"] as? String != "GET" }
            .map { ($0["method"] as? String ?? "", $0["status"] as? Int ?? 0) }
    }

    @Test func aMissingLeaseIsCreatedAndRenewedEveryRetryPeriodWithItsResourceVersion() async throws {
        let server = try FakeAPIServer()
        defer { server.stop() }
        // A roomy renew deadline: in the full suite this process's cooperative pool can be
        // starved for seconds, and a term ended by the watchdog would leave nothing to release.
        let candidate = try Candidate(server, identity: "pod-a", renewDeadline: .seconds(15))
        let acquired = try await Self.waitUntil(.seconds(20)) { candidate.elector.isLeading }
        #expect(acquired != nil)
        // Three renewals, however slowly a loaded machine schedules them.
        let renewed = try await Self.waitUntil(.seconds(30)) { ((try? Self.leaseWrites(server).count) ?? 0) >= 4 }
        #expect(renewed != nil)
        #expect(candidate.elector.isLeading, "the term ended before the release could be checked")
        await candidate.stop()
        let writes = try Self.leaseWrites(server)
        // A create, renewals, and the release: every write accepted, none refused for a
        // missing resourceVersion (422) and none a conflict.
        #expect(writes.first.map { $0.method == "POST" && $0.status == 201 } == true, "\(writes)")
        #expect(writes.dropFirst().allSatisfy { $0.method == "PUT" && $0.status == 200 }, "\(writes)")
        #expect(writes.count >= 5, "\(writes)")
        // Renewals come every retry period, not faster (the release may follow one at once).
        let times = try server.requests().filter { $0["resource"] as? String == "leases" && $0["method"] as? String == "PUT" }
            .compactMap { $0["time"] as? Double }.dropLast()
        #expect(zip(times, times.dropFirst()).allSatisfy { $1 - $0 >= 0.45 }, "\(times)")
        // Released: empty holder, one second, transitions unchanged.
        let spec = try Self.spec(server)
        #expect(spec["holderIdentity"] as? String == "")
        #expect(spec["leaseDurationSeconds"] as? Int == 1)
        #expect(spec["leaseTransitions"] as? Int == 0)
    }

    /// Another node's clock is never read: a renewTime an hour ahead or an hour behind
    /// makes no difference; what counts is how long this replica has seen no change.
    @Test(arguments: ["2026-12-03T17:00:00.000000Z", "2026-12-03T15:00:00.000000Z", "1970-01-01T00:00:00.000000Z"])
    func aLeaseHeldByAnotherIsTakenOnlyAfterItsDurationOnThisClock(renewTime: String) async throws {
        let server = try FakeAPIServer()
        defer { server.stop() }
        try Self.putLease(server, holder: "pod-gone", renewTime: renewTime)
        let candidate = try Candidate(server, identity: "pod-a")
        let acquired = try #require(try await Self.waitUntil(.seconds(20)) { candidate.elector.isLeading })
        // Never before the holder's 2 s have passed on this clock.
        #expect(acquired >= .milliseconds(1950), "took over after \(acquired)")
        let spec = try Self.spec(server)
        #expect(spec["holderIdentity"] as? String == "pod-a")
        #expect(spec["leaseTransitions"] as? Int == 4)
        #expect(spec["leaseDurationSeconds"] as? Int == 3)  // its own duration from now on
        await candidate.stop()
    }

    /// A restarted container keeps its pod name and takes its own Lease back at once.
    @Test func theSameIdentityTakesItsLeaseBackAtOnce() async throws {
        let server = try FakeAPIServer()
        defer { server.stop() }
        try Self.putLease(server, holder: "pod-a", renewTime: "2026-12-03T16:00:00.000000Z")
        let candidate = try Candidate(server, identity: "pod-a")
        let acquired = try #require(try await Self.waitUntil(.seconds(20)) { candidate.elector.isLeading })
        _ = acquired
        // Renewed as its own (a takeover would count a transition and wait out the 2 s).
        #expect(try Self.spec(server)["leaseTransitions"] as? Int == 3)
        #expect(candidate.elector.statistics.conflicts == 0)
        await candidate.stop()
    }

    /// A write behind the holder's back (another client, or a candidate that won a race)
    /// makes its next renewal a 409: counted, read again, renewed.
    @Test func aConflictingWriteIsCountedReadAgainAndTheHolderRenews() async throws {
        let server = try FakeAPIServer()
        defer { server.stop() }
        // A roomy renew deadline: a cooperative pool starved for seconds in the full suite
        // must not end the term (CI once saw three transitions) while the 409 is checked.
        let candidate = try Candidate(server, identity: "pod-a", renewDeadline: .seconds(15))
        #expect(try await Self.waitUntil(.seconds(20)) { candidate.elector.isLeading } != nil)
        // The same holder, an annotation more: a newer resourceVersion the holder has not seen.
        let current = try Self.lease(server)
        var metadata = current["metadata"] as? [String: Any] ?? [:]
        metadata["annotations"] = ["example.com/owner": "team-a"]
        try server.upsert(resource: "leases", group: "coordination.k8s.io", version: "v1",
                          object: ["metadata": metadata, "spec": current["spec"] ?? [:]])
        #expect(try await Self.waitUntil(.seconds(10)) { candidate.elector.statistics.conflicts >= 1 } != nil)
        try await Task.sleep(for: .milliseconds(1200))
        #expect(candidate.elector.isLeading)
        #expect(candidate.elector.statistics.transitions == 1)
        let lease = try Self.lease(server)
        // The other client's annotation survives the holder's writes.
        #expect((lease["metadata"] as? [String: Any])?["annotations"] as? [String: String] == ["example.com/owner": "team-a"])
        let writes = try Self.leaseWrites(server)
        #expect(writes.contains { $0.method == "PUT" && $0.status == 409 })
        #expect(!writes.contains { $0.status == 422 })
        await candidate.stop()
    }

    /// Two candidates at once: one leads, the other never does while it renews.
    @Test func twoCandidatesNeverLeadTogether() async throws {
        let server = try FakeAPIServer()
        defer { server.stop() }
        let a = try Candidate(server, identity: "pod-a")
        let b = try Candidate(server, identity: "pod-b")
        #expect(try await Self.waitUntil(.seconds(20)) { a.elector.isLeading || b.elector.isLeading } != nil)
        for _ in 0..<100 {
            #expect(!(a.elector.isLeading && b.elector.isLeading))
            try await Task.sleep(for: .milliseconds(20))
        }
        let leader = a.elector.isLeading ? a : b
        let follower = leader === a ? b : a
        // The follower stops contending while the holder renews; when the holder goes
        // (release), it takes over within one jittered retry period.
        await leader.stop()
        let takeover = try #require(try await Self.waitUntil(.seconds(20)) { follower.elector.isLeading })
        // Released: taken at the follower's next read, not after the 3 s lease duration.
        #expect(takeover < .milliseconds(2900), "took \(takeover)")
        await follower.stop()
    }

    /// An API server that answers nothing but errors: the holder stops leading once the
    /// renew deadline has passed since its last successful renewal, and says so.
    @Test func aHolderThatCannotRenewStopsWithinTheRenewDeadline() async throws {
        let server = try FakeAPIServer()
        defer { server.stop() }
        let candidate = try Candidate(server, identity: "pod-a")
        let changes = candidate.elector.changes()
        #expect(try await Self.waitUntil(.seconds(20)) { candidate.elector.isLeading } != nil)
        try server.failNext(status: 503, count: 1000, resource: "leases")
        let stopped = try #require(try await Self.waitUntil(.seconds(10)) { candidate.elector.statistics.leading == false })
        // The last success was at most one retry period (plus its round trip) before the
        // failures began, and the term ends 2 s after that success started.
        #expect(stopped >= .milliseconds(2000 - 500 - 300), "stopped \(stopped) after the failures began")
        // The tight upper bound is LeaderElectionEndToEndTests' (agents in their own
        // processes); here the test process's other suites may delay the watchdog.
        #expect(stopped <= .seconds(6), "stopped \(stopped) after the failures began")
        #expect(candidate.elector.statistics.renewFailures >= 2)
        var seen: [LeaderElector.Change] = []
        for await change in changes {
            seen.append(change)
            if change == .stopped { break }
        }
        #expect(seen.count == 2 && seen.last == .stopped)
        await candidate.stop()
    }
}
