import Foundation
import HTTP2Transport
import KubeState
@testable import KubeWatch
import Synchronization
import Logging
import Testing
import TestSupport

/// The reflector against the project's fake API server (TLS + HTTP/2, pagination,
/// watch streams with bookmarks, 410 after compaction, 401/403, dropped connections).
@Suite(.serialized)
struct ReflectorTests {
    /// A pod reflector running against the server, with small pages and short waits so
    /// the tests run fast.
    final class Running {
        let reflector: Reflector
        private let client: HTTP2Client
        private let task: Task<Void, Never>

        init(_ server: FakeAPIServer, nodeName: String? = nil,
             configure: (inout Reflector.Configuration) -> Void = { _ in }) throws {
            (reflector, client) = try ReflectorTests.reflector(server, nodeName: nodeName, configure: configure)
            task = Task { [reflector] in await reflector.run() }
        }

        func stop() {
            task.cancel()
            client.shutdown()
        }
    }

    static func reflector(_ server: FakeAPIServer, pageSize: Int = 5, nodeName: String? = nil,
                          configure: (inout Reflector.Configuration) -> Void = { _ in }) throws -> (Reflector, HTTP2Client) {
        let access = try #require(try ClusterAccess.resolve(flag: try server.writeKubeconfig(), configured: "", environment: [:]))
        let client = try HTTP2Client(endpoint: access.endpoint, tls: access.tls)
        var configuration = Reflector.Configuration(request: ListWatchRequest(
            resource: .pods, mode: .list(limit: pageSize, continueToken: nil),
            fieldSelector: nodeName.map { "spec.nodeName=\($0)" }))
        configuration.pageSize = pageSize
        configuration.minimumWatchTimeout = .seconds(60)
        configuration.initialBackoff = .milliseconds(50)
        configuration.maximumBackoff = .milliseconds(200)
        configuration.forbiddenRetry = .milliseconds(300)
        configure(&configuration)
        let reflector = Reflector(client: client, token: BearerToken(credential: access.credential), configuration: configuration,
                                  sink: PodDictionarySink(), logger: Logger(label: "test"))
        return (reflector, client)
    }

    /// Polls `condition` until it holds or 20 s pass.
    static func eventually(_ what: String, _ condition: () throws -> Bool) async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(20))
        while ContinuousClock.now < deadline {
            if try condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out waiting until \(what)")
    }

    static func pod(_ name: String, namespace: String = "shop", node: String = "node-1", phase: String = "Running") -> [String: Any] {
        [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": ["name": name, "namespace": namespace, "uid": "uid-\(name)", "creationTimestamp": "2024-05-01T10:00:00Z"],
            "spec": ["nodeName": node, "containers": [["name": "app", "image": "app:1"]]],
            "status": ["phase": phase],
        ]
    }

    static func fixture() throws -> FakeAPIServer {
        var options = FakeAPIServer.Options()
        options.objectsFiles = [FakeAPIServer.fixture("cluster-small.json")]
        options.bookmarkInterval = 0.2
        return try FakeAPIServer(options)
    }

    @Test func listsPageByPageThenAppliesWatchEvents() async throws {
        let server = try Self.fixture()
        defer { server.stop() }
        let running = try Running(server)
        defer { running.stop() }
        let reflector = running.reflector

        try await Self.eventually("synced") { reflector.statistics.synced }
        #expect(reflector.store.count == 16)
        // resourceVersion=0: served from the watch cache, which ignores the limit.
        #expect(reflector.statistics.listPages == 1)
        let lists = try server.requests().filter { $0["verb"] as? String == "list" }
        #expect(lists.count == 1)
        #expect(lists.allSatisfy { ($0["query"] as? [String: Any])?["resourceVersion"] as? String == "0" })
        #expect(lists.allSatisfy { ($0["headers"] as? [String: Any])?["authorization"] as? String == "Bearer \(server.token)" })

        try server.upsert(resource: "pods", object: Self.pod("new-1"))
        try await Self.eventually("the new pod is in the store") { reflector.store.object(forKey: "uid-new-1") != nil }
        try server.upsert(resource: "pods", object: Self.pod("new-1", phase: "Succeeded"))
        try await Self.eventually("the update is applied") { reflector.store.object(forKey: "uid-new-1")?.status.phase == "Succeeded" }
        try server.delete(resource: "pods", namespace: "shop", name: "new-1")
        try await Self.eventually("the delete is applied") { reflector.store.object(forKey: "uid-new-1") == nil }
        try await Self.eventually("bookmarks arrive") { reflector.statistics.bookmarks > 0 }
        #expect(reflector.statistics.resourceVersion == (try server.resourceVersion()))
        #expect(reflector.statistics.listCalls == 1)
    }

    @Test func droppedConnectionResumesFromTheLastVersionWithoutRelisting() async throws {
        let server = try Self.fixture()
        defer { server.stop() }
        let running = try Running(server)
        defer { running.stop() }
        let reflector = running.reflector
        try await Self.eventually("synced") { reflector.statistics.synced }
        try server.upsert(resource: "pods", object: Self.pod("before-drop"))
        try await Self.eventually("seen") { reflector.store.object(forKey: "uid-before-drop") != nil }
        let version = reflector.statistics.resourceVersion

        _ = try server.dropConnections()
        // Changes while no watch is open must arrive after the resume, exactly once.
        try server.upsert(resource: "pods", object: Self.pod("during-drop"))
        try server.delete(resource: "pods", namespace: "shop", name: "before-drop")
        try await Self.eventually("the missed changes are applied") {
            reflector.store.object(forKey: "uid-during-drop") != nil && reflector.store.object(forKey: "uid-before-drop") == nil
        }
        #expect(reflector.statistics.listCalls == 1)
        let watches = try server.requests().compactMap { $0["query"] as? [String: Any] }.filter { $0["watch"] != nil }
        #expect(watches.count >= 2)
        #expect(watches.contains { $0["resourceVersion"] as? String == version || $0["resourceVersion"] as? String ?? "" > version })
        #expect(reflector.store.count == 17)
    }

    @Test func goneAfterCompactionRelistsAndReconciles() async throws {
        let server = try Self.fixture()
        defer { server.stop() }
        let running = try Running(server)
        defer { running.stop() }
        let reflector = running.reflector
        try await Self.eventually("synced") { reflector.statistics.synced }
        let someone = try #require(reflector.store.object(forKey: Self.firstKey(reflector)))

        // Keep the watch away for a moment, change things, and compact the history the
        // resume would need: the resume gets 410 and must relist and reconcile.
        try server.failNext(status: 500, count: 3, resource: "pods", verb: "watch")
        _ = try server.dropConnections()
        try server.delete(resource: "pods", namespace: someone.metadata.namespace, name: someone.metadata.name)
        try server.upsert(resource: "pods", object: Self.pod("after-gap"))
        _ = try server.compact()
        try await Self.eventually("relisted") { reflector.statistics.listCalls >= 2 && reflector.statistics.synced }
        try await Self.eventually("reconciled") {
            reflector.store.object(forKey: someone.metadata.uid) == nil && reflector.store.object(forKey: "uid-after-gap") != nil
        }
        #expect(reflector.statistics.expired >= 1)
        #expect(reflector.statistics.reconciledDeletions == 1)
        #expect(reflector.store.count == 16)
    }

    @Test func forbiddenIsCountedAndRetriedUntilAllowed() async throws {
        let server = try Self.fixture()
        defer { server.stop() }
        try server.forbid("pods")
        let running = try Running(server)
        defer { running.stop() }
        let reflector = running.reflector
        try await Self.eventually("two 403s") { reflector.statistics.forbidden >= 2 }
        #expect(!reflector.statistics.synced)
        try server.forbid("pods", false)
        try await Self.eventually("synced once allowed") { reflector.statistics.synced }
        #expect(reflector.store.count == 16)
    }

    /// A group/version the cluster does not serve (an older Kubernetes): failing and
    /// settled, asked again at the slow pace, listed once it appears.
    @Test func notServedIsReportedAndRetriedSlowly() async throws {
        let server = try Self.fixture()
        defer { server.stop() }
        try server.failNext(status: 404, count: 2, resource: "pods", verb: "list")
        let running = try Running(server)
        defer { running.stop() }
        let reflector = running.reflector
        try await Self.eventually("a 404") { reflector.statistics.failing }
        #expect(reflector.statistics.everFailed && !reflector.statistics.synced)
        try await Self.eventually("synced once served") { reflector.statistics.synced }
        #expect(reflector.statistics.otherErrors == 2)
        #expect(reflector.store.count == 16)
    }

    @Test func rotatedTokenIsReadAgain() async throws {
        var options = FakeAPIServer.Options()
        options.objectsFiles = [FakeAPIServer.fixture("cluster-small.json")]
        options.requireToken = true
        let server = try FakeAPIServer(options)
        defer { server.stop() }
        let running = try Running(server)
        defer { running.stop() }
        let reflector = running.reflector
        try await Self.eventually("synced") { reflector.statistics.synced }
        try server.rotateToken("rotated-token-2")
        _ = try server.dropConnections()
        try server.upsert(resource: "pods", object: Self.pod("after-rotation"))
        try await Self.eventually("the watch resumes with the new token") { reflector.store.object(forKey: "uid-after-rotation") != nil }
        let authorizations = try server.requests().compactMap { ($0["headers"] as? [String: Any])?["authorization"] as? String }
        #expect(authorizations.last == "Bearer rotated-token-2")
        #expect(reflector.statistics.listCalls == 1)
    }

    @Test func nodeSelectorKeepsOnlyThatNodesPods() async throws {
        let server = try Self.fixture()
        defer { server.stop() }
        let running = try Running(server, nodeName: "node-0001")
        defer { running.stop() }
        let reflector = running.reflector
        try await Self.eventually("synced") { reflector.statistics.synced }
        var nodes = Set<String>()
        reflector.store.forEachObject { nodes.insert($0.spec.nodeName) }
        #expect(nodes == ["node-0001"])
        #expect(reflector.store.count == 8)
        try server.upsert(resource: "pods", object: Self.pod("elsewhere", node: "node-zzz"))
        try server.upsert(resource: "pods", object: Self.pod("here", node: "node-0001"))
        try await Self.eventually("the local pod arrives") { reflector.store.object(forKey: "uid-here") != nil }
        #expect(reflector.store.object(forKey: "uid-elsewhere") == nil)
    }

    /// A pod whose metadata no longer decodes (a garbled timestamp), UID and version intact.
    static func malformedPod(_ name: String) -> [String: Any] {
        var pod = pod(name)
        var metadata = pod["metadata"] as! [String: Any]
        metadata["creationTimestamp"] = "yesterday"
        pod["metadata"] = metadata
        return pod
    }

    /// An update that no longer decodes removes what was stored for the object: the
    /// old content is no longer true and must not be served as if it were.
    @Test func malformedUpdateRemovesTheStoredObject() async throws {
        let server = try Self.fixture()
        defer { server.stop() }
        let running = try Running(server)
        defer { running.stop() }
        let reflector = running.reflector
        try await Self.eventually("synced") { reflector.statistics.synced }
        try server.upsert(resource: "pods", object: Self.pod("ghost"))
        try await Self.eventually("stored") { reflector.store.object(forKey: "uid-ghost") != nil }

        try server.upsert(resource: "pods", object: Self.malformedPod("ghost"))
        try await Self.eventually("the malformed update removes it") { reflector.store.object(forKey: "uid-ghost") == nil }
        #expect(reflector.statistics.decodeErrors == 1)
        // The watch went on past the malformed object.
        try server.upsert(resource: "pods", object: Self.pod("after"))
        try await Self.eventually("later events applied") { reflector.store.object(forKey: "uid-after") != nil }
        #expect(reflector.statistics.listCalls == 1)
    }

    /// An object updated and deleted while no watch was open, both versions malformed:
    /// the resumed watch still removes it, and resumes past them.
    @Test func malformedDeletionRemovesTheStoredObject() async throws {
        let server = try Self.fixture()
        defer { server.stop() }
        let running = try Running(server)
        defer { running.stop() }
        let reflector = running.reflector
        try await Self.eventually("synced") { reflector.statistics.synced }
        try server.upsert(resource: "pods", object: Self.pod("ghost"))
        try await Self.eventually("stored") { reflector.store.object(forKey: "uid-ghost") != nil }

        try server.failNext(status: 500, count: 2, resource: "pods", verb: "watch")
        _ = try server.dropConnections()
        try server.upsert(resource: "pods", object: Self.malformedPod("ghost"))
        try server.delete(resource: "pods", namespace: "shop", name: "ghost")
        try server.upsert(resource: "pods", object: Self.pod("after"))
        try await Self.eventually("the missed changes are applied") { reflector.store.object(forKey: "uid-after") != nil }
        #expect(reflector.store.object(forKey: "uid-ghost") == nil)
        #expect(reflector.statistics.decodeErrors == 2)
        #expect(reflector.statistics.listCalls == 1)
        #expect(reflector.store.count == 17)
    }

    /// The UID and version are read from metadata whatever else in it is malformed.
    @Test func metadataOfAMalformedObject() throws {
        let json = #"""
        {"metadata":{"name":"a","generation":"two","uid":"u-1","labels":{"x":1},"creationTimestamp":"yesterday",
         "ownerReferences":7,"resourceVersion":"42","namespace":"ns"},"spec":5}
        """#
        let meta = try Array(json.utf8).withUnsafeBufferPointer { try Reflector.metadata(of: $0) }
        #expect(meta.uid == "u-1")
        #expect(meta.resourceVersion == "42")
        #expect(meta.name == "a" && meta.namespace == "ns")
        let row = #"{"cells":["a"],"object":{"metadata":{"uid":"u-2","resourceVersion":"43","creationTimestamp":3}}}"#
        let rowMeta = try Array(row.utf8).withUnsafeBufferPointer { try Reflector.metadata(of: $0) }
        #expect(rowMeta.uid == "u-2" && rowMeta.resourceVersion == "43")
    }

    /// A watch event that never ends is refused at the event limit, not buffered: the
    /// watch fails (counted) and resumes, and later events still arrive.
    @Test func oversizedWatchEventIsRefusedNotBuffered() async throws {
        let server = try Self.fixture()
        defer { server.stop() }
        let running = try Running(server) { $0.maximumObjectBytes = 1 << 20 }
        defer { running.stop() }
        let reflector = running.reflector
        try await Self.eventually("synced and watching") {
            let watches = try server.state()["watches"] as? [Any] ?? []
            return reflector.statistics.synced && !watches.isEmpty
        }
        let peak = PeakMemory()
        let sent = try server.oversizedEvent(resource: "pods", bytes: 256 << 20)
        #expect(sent == 1)
        try await Self.eventually("the event is refused") { reflector.statistics.oversized == 1 }
        // At most one part (256 KiB, the HTTP/2 batch) past the limit before it is refused.
        #expect(reflector.statistics.largestBuffered <= (1 << 20) + (256 << 10))
        try server.upsert(resource: "pods", object: Self.pod("after-oversized"))
        try await Self.eventually("the resumed watch applies later events") { reflector.store.object(forKey: "uid-after-oversized") != nil }
        #expect(peak.growth() < 96 << 20, "the process held the event: its peak grew by \(peak.growth() >> 20) MiB")
        #expect(reflector.statistics.listCalls == 1)
    }

    /// Error answers (a LIST's, a WATCH's) with a huge body: only the first part is
    /// read (for the message), the rest is never held.
    @Test func hugeErrorBodiesAreCutNotHeld() async throws {
        let server = try Self.fixture()
        defer { server.stop() }
        try server.failNext(status: 500, count: 1, resource: "pods", verb: "list", bodyBytes: 128 << 20)
        let peak = PeakMemory()
        let running = try Running(server)
        defer { running.stop() }
        let reflector = running.reflector
        try await Self.eventually("synced after the failed list") { reflector.statistics.synced }
        #expect(reflector.statistics.otherErrors == 1)

        try server.failNext(status: 500, count: 1, resource: "pods", verb: "watch", bodyBytes: 128 << 20)
        _ = try server.dropConnections()
        try await Self.eventually("the failed watch") { reflector.statistics.otherErrors >= 2 }
        try server.upsert(resource: "pods", object: Self.pod("after-errors"))
        try await Self.eventually("watching again") { reflector.store.object(forKey: "uid-after-errors") != nil }
        // The fixture's list pages are a few KiB; the error bodies were cut at 64 KiB.
        #expect(reflector.statistics.largestBuffered <= 1 << 20)
        #expect(peak.growth() < 96 << 20, "the process held an error body: its peak grew by \(peak.growth() >> 20) MiB")
        #expect(reflector.statistics.listCalls == 2)
    }

    /// An unavailable version (410) for the cached list falls back to a consistent
    /// list in pages (resourceVersion unset), as client-go's reflector does.
    @Test func expiredCachedListFallsBackToAConsistentPaginatedList() async throws {
        let server = try Self.fixture()
        defer { server.stop() }
        try server.failNext(status: 410, count: 1, resource: "pods", verb: "list")
        let running = try Running(server)
        defer { running.stop() }
        let reflector = running.reflector
        try await Self.eventually("synced") { reflector.statistics.synced }
        #expect(reflector.store.count == 16)
        let queries = try server.requests().filter { $0["verb"] as? String == "list" }.compactMap { $0["query"] as? [String: Any] }
        #expect(queries.map { $0["resourceVersion"] as? String ?? "" } == ["0", "", "", "", ""])
        #expect(queries.dropFirst().allSatisfy { $0["limit"] as? String == "5" })
        #expect(reflector.statistics.listPages == 4)  // 16 pods, 5 per page
    }

    /// A list from the watch cache comes in one response and is read item by item: at
    /// most one pod is held, never the 110 KB list; an item over the limit fails the
    /// list, counted, after holding no more than the limit and one DATA frame.
    @Test func aListIsReadItemByItemAndAnOversizedItemFailsIt() async throws {
        let server = try Self.fixture()
        defer { server.stop() }
        let running = try Running(server)
        defer { running.stop() }
        let reflector = running.reflector
        try await Self.eventually("synced") { reflector.statistics.synced }
        #expect(reflector.store.count == 16 && reflector.statistics.listPages == 1)
        #expect(reflector.statistics.largestBuffered < 32 << 10, "held \(reflector.statistics.largestBuffered) bytes")

        let small = try Running(server) { $0.maximumObjectBytes = 4 << 10 }  // every pod is larger
        defer { small.stop() }
        try await Self.eventually("the oversized list is refused") { small.reflector.statistics.oversized >= 1 }
        #expect(!small.reflector.statistics.synced && small.reflector.statistics.largestBuffered <= (4 << 10) + (16 << 10))
    }

    /// A relist after a 410 asks the watch cache for a list not older than what was seen.
    @Test func relistIsNotOlderThanTheLastVersion() async throws {
        let server = try Self.fixture()
        defer { server.stop() }
        let (plain, client) = try Self.reflector(server, configure: { $0.start = .resume(resourceVersion: "1") })
        let task = Task { await plain.run() }
        defer { task.cancel(); client.shutdown() }
        _ = try server.compact()
        try await Self.eventually("the resumed reflector relisted") { plain.statistics.completedLists >= 1 }
        let last = try server.requests().last { $0["verb"] as? String == "list" }?["query"] as? [String: Any]
        #expect(last?["resourceVersion"] as? String == "1" && last?["limit"] == nil)
    }

    /// A server that answers every watch with 410 gets relists at the backoff's pace,
    /// not a LIST loop.
    @Test func goneStormIsPacedByTheBackoff() async throws {
        let server = try Self.fixture()
        defer { server.stop() }
        let running = try Running(server) {
            $0.initialBackoff = .milliseconds(200)
            $0.maximumBackoff = .seconds(1)
        }
        defer { running.stop() }
        let reflector = running.reflector
        try await Self.eventually("synced") { reflector.statistics.synced }
        try server.expireWatches(resource: "pods")
        _ = try server.dropConnections()
        let before = try server.requests().filter { $0["verb"] as? String == "list" }.count
        try await Task.sleep(for: .seconds(4))
        let lists = try server.requests().filter { $0["verb"] as? String == "list" }.count - before
        // Waits of at least 0.2, 0.4, 0.8, 1, 1 s: at most 6 lists in 4 s.
        #expect(lists <= 6, "\(lists) LISTs in 4 s")
        #expect(reflector.statistics.expired >= 2)
        try server.expireWatches(resource: "pods", false)
        try server.upsert(resource: "pods", object: Self.pod("after-storm"))
        try await Self.eventually("watching again") { reflector.store.object(forKey: "uid-after-storm") != nil }
    }

    static func firstKey(_ reflector: Reflector) -> String {
        var key = ""
        reflector.store.forEachObject { if key.isEmpty { key = $0.metadata.uid } }
        return key
    }
}

/// The process's peak resident memory from now on (VmHWM, reset through
/// /proc/self/clear_refs): what a test can say about memory a peer made it hold.
struct PeakMemory {
    private let start: Int

    init() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        start = Self.peak()
    }

    /// Bytes the peak rose by since `init`.
    func growth() -> Int { max(0, Self.peak() - start) }

    private static func peak() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }
}

/// A sink that keeps the decoded pods, to look at what the reflector delivered.
final class PodDictionarySink: ReflectorSink {
    private let state = Mutex<(pods: [String: Pod], listed: Set<String>)>(([:], []))

    func apply(_ event: WatchEvent, object: UnsafeBufferPointer<UInt8>) throws -> ObjectVersion {
        let pod = try Pod(json: object)
        state.withLock { state in
            if event == .deleted {
                state.pods.removeValue(forKey: pod.metadata.uid)
            } else {
                state.pods[pod.metadata.uid] = pod
                if event == .listed { state.listed.insert(pod.metadata.uid) }
            }
        }
        return ObjectVersion(uid: pod.metadata.uid, resourceVersion: pod.metadata.resourceVersion)
    }

    func remove(uid: String) {
        state.withLock { _ = $0.pods.removeValue(forKey: uid) }
    }

    func beginRelist() {
        state.withLock { $0.listed = [] }
    }

    func endRelist() -> Int {
        state.withLock { state in
            let gone = state.pods.keys.filter { !state.listed.contains($0) }
            for key in gone { state.pods.removeValue(forKey: key) }
            return gone.count
        }
    }

    var count: Int { state.withLock { $0.pods.count } }

    func object(forKey key: String) -> Pod? { state.withLock { $0.pods[key] } }

    func forEachObject(_ body: (Pod) -> Void) {
        for pod in state.withLock({ Array($0.pods.values) }) { body(pod) }
    }
}

extension Reflector {
    /// The pods this test reflector delivered.
    var store: PodDictionarySink { sink as! PodDictionarySink }
}
