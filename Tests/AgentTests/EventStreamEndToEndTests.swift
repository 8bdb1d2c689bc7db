@testable import Agent
import EventLogs
import Foundation
import Logging
import OTLPWire
import Testing
import TestSupport

/// `logs_streaming` end to end: the agent against the fake API server's core/v1
/// events, delivering to the grpcio receiver. Every test counts what the receiver
/// got per (event UID, count): each occurrence exactly once, none lost.
@Suite(.serialized)
struct EventStreamEndToEndTests {
    // MARK: Occurrences

    @Test func eachOccurrenceOnceWithItsOwnTimeAndNothingForDeletesOrUnchangedCounts() async throws {
        let cluster = try EventCluster()
        let run = try await cluster.start()
        try cluster.write(EventCluster.event("web.1", uid: "u-web", count: 1))
        for count in 2...6 {
            try await cluster.waitForOccurrences(count - 1)
            try cluster.write(EventCluster.event("web.1", uid: "u-web", count: count))
        }
        // The same count with another message (the recorder's patch of a field other than count).
        try cluster.write(EventCluster.event("web.1", uid: "u-web", count: 6, message: "edited"))
        try cluster.server.delete(resource: "events", namespace: "default", name: "web.1")
        try await cluster.waitForOccurrences(6)
        try await Task.sleep(for: .seconds(2))  // a MODIFIED or DELETED record would arrive within one flush
        await run.stop()

        let occurrences = try cluster.occurrences()
        #expect(occurrences.map(\.count) == [1, 2, 3, 4, 5, 6])
        #expect(occurrences.allSatisfy { $0.uid == "u-web" })
        // Each occurrence carries its own time: lastTimestamp of the update that counted it.
        #expect(occurrences.map(\.time) == (1...6).map { EventCluster.unixNano(second: $0) })
        #expect(!occurrences.contains { $0.body == "edited" })
        let statistics = run.forwarder.statistics
        #expect(statistics.received["ADDED"] == 1 && statistics.received["MODIFIED"] == 6 && statistics.received["DELETED"] == 1)
        #expect(statistics.emitted == 6 && statistics.deduplicated == 1)
    }

    @Test func aFirstStartBeginsAtNowAndNeverReplaysTheHistory() async throws {
        let cluster = try EventCluster()
        try cluster.write(EventCluster.event("old.1", uid: "u-old", count: 3))
        let run = try await cluster.start()
        try cluster.write(EventCluster.event("new.1", uid: "u-new", count: 1))
        try cluster.write(EventCluster.event("old.1", uid: "u-old", count: 4))
        try await cluster.waitForOccurrences(2)
        await run.stop()
        let occurrences = try cluster.occurrences()
        #expect(Set(occurrences.map { "\($0.uid)#\($0.count)" }) == ["u-new#1", "u-old#4"])
        #expect(occurrences.count == 2)
        // The start-from-now list asked for one item, not the whole history.
        let lists = try cluster.server.requests().filter {
            ($0["path"] as? String) == "/api/v1/events" && ($0["query"] as? [String: Any])?["watch"] == nil
        }
        #expect(lists.count == 1)
        #expect(lists.first.map { (($0["query"] as? [String: Any])?["limit"] as? String) } == "1")
    }

    // MARK: Restarts

    @Test func aRestartResumesFromTheCheckpointWithNothingLostOrRepeated() async throws {
        let cluster = try EventCluster()
        var run = try await cluster.start()
        try cluster.write(EventCluster.event("a.1", uid: "u-a", count: 1))
        try cluster.write(EventCluster.event("b.1", uid: "u-b", count: 1))
        try await cluster.waitForOccurrences(2)
        await run.stop()
        let checkpoint = try #require(EventCheckpoint(json: Array(Data(contentsOf: URL(fileURLWithPath: cluster.checkpointFile)))))
        #expect(checkpoint.resourceVersions["all"] == (try cluster.server.resourceVersion()))

        // While the agent is down: a new event, a repeat of an old one, and an expiry.
        try cluster.write(EventCluster.event("c.1", uid: "u-c", count: 1))
        try cluster.write(EventCluster.event("a.1", uid: "u-a", count: 2))
        try cluster.server.delete(resource: "events", namespace: "default", name: "b.1")
        run = try await cluster.start()
        try cluster.write(EventCluster.event("d.1", uid: "u-d", count: 1))
        try await cluster.waitForOccurrences(5)
        try await Task.sleep(for: .seconds(2))
        await run.stop()
        #expect(try cluster.occurrenceKeys() == ["u-a#1", "u-a#2", "u-b#1", "u-c#1", "u-d#1"])
        #expect(try cluster.occurrences().count == 5)
    }

    @Test func anExpiredCheckpointRelistsAndSendsOnlyWhatIsNewer() async throws {
        let cluster = try EventCluster()
        var run = try await cluster.start()
        try cluster.write(EventCluster.event("a.1", uid: "u-a", count: 1))
        try await cluster.waitForOccurrences(1)
        await run.stop()

        try cluster.write(EventCluster.event("b.1", uid: "u-b", count: 1))
        try cluster.write(EventCluster.event("a.1", uid: "u-a", count: 2))
        try cluster.server.compact()  // the checkpoint's resourceVersion is no longer in the history
        run = try await cluster.start()
        try await cluster.waitForOccurrences(3)
        try await Task.sleep(for: .seconds(2))
        let statistics = run.forwarder.statistics
        await run.stop()
        #expect(try cluster.occurrenceKeys() == ["u-a#1", "u-a#2", "u-b#1"])
        #expect(try cluster.occurrences().count == 3)
        #expect(statistics.relisted == 2)
        #expect(run.forwarder.streams.first?.reflector.expired == 1)
    }

    @Test func aChangedFilterSetStartsFresh() async throws {
        let cluster = try EventCluster()
        var run = try await cluster.start()
        try cluster.write(EventCluster.event("a.1", uid: "u-a", count: 1))
        try await cluster.waitForOccurrences(1)
        await run.stop()
        try cluster.write(EventCluster.event("b.1", uid: "u-b", count: 1, type: "Normal"))
        cluster.config.kubeMetrics.logsStreaming.types = ["Warning"]
        run = try await cluster.start()
        try cluster.write(EventCluster.event("c.1", uid: "u-c", count: 1))
        try cluster.write(EventCluster.event("d.1", uid: "u-d", count: 1, type: "Normal"))
        try await cluster.waitForOccurrences(2)
        try await Task.sleep(for: .seconds(2))
        await run.stop()
        // b.1 happened before the new filters' stream started: not replayed; d.1 is filtered.
        #expect(try cluster.occurrenceKeys() == ["u-a#1", "u-c#1"])
        let watches = try cluster.server.requests().filter { ($0["path"] as? String) == "/api/v1/events" }
        #expect(watches.last.map { (($0["query"] as? [String: Any])?["fieldSelector"] as? String) } == "type=Warning")
    }

    // MARK: Connection trouble

    @Test func aClosedWatchADroppedConnectionAndARotatedTokenLeaveNoGapAndNoDuplicate() async throws {
        let cluster = try EventCluster()
        let run = try await cluster.start()
        var expected = 0
        func burst(_ prefix: String) throws {
            for index in 1...3 {
                try cluster.write(EventCluster.event("\(prefix).\(index)", uid: "u-\(prefix)-\(index)", count: 1))
                expected += 1
            }
        }
        try burst("a")
        try cluster.server.endWatches(resource: "events")
        try burst("b")
        _ = try cluster.server.dropConnections()
        try burst("c")
        try cluster.server.rotateToken("rotated-events-token")
        try burst("d")
        try await cluster.waitForOccurrences(expected, timeout: .seconds(60))
        try await Task.sleep(for: .seconds(2))
        await run.stop()
        let keys = try cluster.occurrenceKeys()
        #expect(keys.count == 12)
        #expect(try cluster.occurrences().count == 12)
        #expect(Set(keys).count == 12)
    }

    // MARK: The receiver

    @Test func aReceiverDownForAMinuteGetsEveryRecordOnceAfterwards() async throws {
        let cluster = try EventCluster()
        let run = try await cluster.start()
        try cluster.write(EventCluster.event("a.1", uid: "u-a", count: 1))
        try await cluster.waitForOccurrences(1)
        cluster.receiver.stop()
        let downSince = ContinuousClock.now
        for index in 1...5 {
            try cluster.write(EventCluster.event("down.\(index)", uid: "u-down-\(index)", count: 1))
        }
        try cluster.write(EventCluster.event("a.1", uid: "u-a", count: 2))
        try await Task.sleep(until: downSince.advanced(by: .seconds(60)))
        try cluster.receiver.start()
        try await cluster.waitForOccurrences(7, timeout: .seconds(60))
        try await Task.sleep(for: .seconds(2))
        await run.stop()
        #expect(try cluster.occurrences().count == 7)
        #expect(Set(try cluster.occurrenceKeys()).count == 7)
        #expect(run.exporter.statistics[.logs].failedItems == 0)
    }

    @Test func aStopWhileTheReceiverIsDownLeavesTheRecordsToTheNextStart() async throws {
        let cluster = try EventCluster()
        cluster.config.kubeMetrics.streaming.timeout = .seconds(2)  // the shutdown grace
        var run = try await cluster.start()
        try cluster.write(EventCluster.event("a.1", uid: "u-a", count: 1))
        try await cluster.waitForOccurrences(1)
        // The receiver records a request before it answers: wait for the answer too.
        try await cluster.eventually("the first record is acknowledged") { run.exporter.statistics[.logs].sentItems == 1 }
        cluster.receiver.stop()
        try cluster.write(EventCluster.event("b.1", uid: "u-b", count: 1))
        try cluster.write(EventCluster.event("a.1", uid: "u-a", count: 2))
        try await cluster.eventually("both are emitted") { run.forwarder.statistics.emitted == 3 }
        await run.stop()
        // Never delivered, so not in the checkpoint: dropped from memory at shutdown, counted.
        #expect(run.exporter.statistics[.logs].droppedItems["shutdown"] == 2)

        try cluster.receiver.start()
        run = try await cluster.start()
        try await cluster.waitForOccurrences(3)
        try await Task.sleep(for: .seconds(2))
        await run.stop()
        #expect(try cluster.occurrenceKeys() == ["u-a#1", "u-a#2", "u-b#1"])
    }

    @Test func theDiskQueueCarriesRecordsAcrossARestart() async throws {
        let cluster = try EventCluster()
        let queue = try TemporaryDirectory("event-queue")
        cluster.config.kubeMetrics.logsStreaming.queue.directory = queue.path
        var run = try await cluster.start()
        cluster.receiver.stop()
        for index in 1...4 {
            try cluster.write(EventCluster.event("q.\(index)", uid: "u-q-\(index)", count: 1))
        }
        // Emitted, queued on disk, acknowledged as stored: the checkpoint moves past them.
        let written = try cluster.server.resourceVersion()
        try await cluster.eventually("the checkpoint covers the spooled records") {
            run.forwarder.checkpoint.resourceVersions["all"] == written
        }
        await run.stop()
        #expect(try FileManager.default.contentsOfDirectory(atPath: queue.path).count >= 1)

        try cluster.receiver.start()
        run = try await cluster.start()
        try await cluster.waitForOccurrences(4)
        try await Task.sleep(for: .seconds(2))
        await run.stop()
        #expect(try cluster.occurrenceKeys() == ["u-q-1#1", "u-q-2#1", "u-q-3#1", "u-q-4#1"])
        #expect(try cluster.occurrences().count == 4)
    }

    // MARK: OTLP/HTTP

    @Test func overOTLPHTTPTheSameRecordsArriveOnce() async throws {
        let cluster = try EventCluster(receiver: OTLPHTTPReceiver(script: [["status": 503, "retry_after": "1"]]))
        cluster.config.kubeMetrics.logsStreaming.transportProtocol = .httpProtobuf
        let run = try await cluster.start()
        try cluster.write(EventCluster.event("a.1", uid: "u-a", count: 1))
        try cluster.write(EventCluster.event("a.1", uid: "u-a", count: 2))
        try await cluster.waitForOccurrences(2)
        try await Task.sleep(for: .seconds(2))
        await run.stop()
        #expect(try cluster.occurrenceKeys() == ["u-a#1", "u-a#2"])
        let requests = try cluster.receiver.received()
        // The 503 was retried after its Retry-After; the retry carried the same records.
        #expect(requests.first?["answered"] as? Int == 503)
        #expect(requests.allSatisfy { $0["path"] as? String == "/v1/logs" })
        let first = try #require(cluster.occurrences().first)
        #expect(first.attributes["k8s.event.reason"] == "BackOff" && first.attributes["k8s.object.kind"] == "Pod")
        #expect(first.severityNumber == "SEVERITY_NUMBER_WARN" && first.severityText == "Warning")
    }

    // MARK: Bad input

    @Test func badEventsAreCountedNotFatal() async throws {
        let cluster = try EventCluster()
        cluster.config.kubeMetrics.logsStreaming.maxMessageBytes = 64
        let run = try await cluster.start()
        var orphan = EventCluster.event("orphan.1", uid: "u-orphan", count: 1, type: "Unheard-Of")
        orphan.removeValue(forKey: "involvedObject")
        try cluster.write(orphan)
        try cluster.write(EventCluster.event("huge.1", uid: "u-huge", count: 1, message: String(repeating: "é", count: 5000)))
        try cluster.write(EventCluster.event("ok.1", uid: "u-ok", count: 1))
        try await cluster.waitForOccurrences(3)
        await run.stop()
        let occurrences = try cluster.occurrences()
        #expect(Set(occurrences.map(\.uid)) == ["u-orphan", "u-huge", "u-ok"])
        let huge = try #require(occurrences.first { $0.uid == "u-huge" })
        #expect(huge.body == String(repeating: "é", count: 32))
        #expect(huge.attributes["telegen.event.message.original_size"] == "10000")
        let orphanRecord = try #require(occurrences.first { $0.uid == "u-orphan" })
        #expect(orphanRecord.attributes["k8s.object.kind"] == "")
        #expect(orphanRecord.severityText == "Unheard-Of" && orphanRecord.severityNumber == nil)
    }

    @Test func theSelfMetricsDescribeTheStream() async throws {
        let cluster = try EventCluster()
        let run = try await cluster.start()
        try cluster.write(EventCluster.event("a.1", uid: "u-a", count: 1))
        try cluster.write(EventCluster.event("a.1", uid: "u-a", count: 1, message: "same count"))
        try await cluster.waitForOccurrences(1)
        let version = try cluster.server.resourceVersion()
        try await cluster.eventually("the checkpoint reaches the last write and is stored") {
            run.forwarder.checkpoint.resourceVersions["all"] == version && run.forwarder.checkpointWrittenUnixNano > 0
        }
        let text = String(decoding: run.agent.endpoints.respond(path: "/metrics/self", accept: nil).body, as: UTF8.self)
        await run.stop()
        #expect(text.contains("# TYPE telegen_events_lag_seconds gauge"))
        #expect(text.contains("telegen_events_checkpoint_age_seconds "))
        for line in [#"telegen_events_received_total{type="ADDED"} 1"#, #"telegen_events_received_total{type="MODIFIED"} 1"#,
                     "telegen_events_emitted_total 1", "telegen_events_deduplicated_total 1", "telegen_events_tracked 1",
                     #"telegen_events_stream_connected{stream="all"} 1"#, #"telegen_events_expired_total{stream="all"} 0"#,
                     #"telegen_events_checkpoint_resource_version{stream="all"} \#(version)"#] {
            #expect(text.contains(line), "\(line) in:\n\(text)")
        }
    }
}

/// What the tests need of the gRPC and the OTLP/HTTP receivers.
protocol EventReceiver: Sendable {
    var port: Int { get }
    func start() throws
    func stop()
    func received() throws -> [[String: Any]]
}

extension OTLPReceiver: EventReceiver {}
extension OTLPHTTPReceiver: EventReceiver {}

/// A fake API server, a receiver, and the agent's configuration pointing at both.
final class EventCluster: @unchecked Sendable {
    // @unchecked: the tests mutate `config` only between runs, from the test's own task.
    let server: FakeAPIServer
    let receiver: any EventReceiver
    let scratch: TemporaryDirectory
    var config: AgentConfig
    var checkpointFile: String { scratch.path + "/events.checkpoint" }

    init(receiver: (any EventReceiver)? = nil) throws {
        var options = FakeAPIServer.Options()
        options.requireToken = true
        options.bookmarkInterval = 1
        server = try FakeAPIServer(options)
        self.receiver = try receiver ?? OTLPReceiver()
        scratch = try TemporaryDirectory("events")
        config = AgentConfig()
        config.kubernetes.kubeconfig = try server.writeKubeconfig()
        config.kubeMetrics.kubeState.enabled = false
        config.kubeMetrics.cadvisor.enabled = false
        config.kubeMetrics.node.enabled = false
        config.kubeMetrics.streaming.endpoint = "http://127.0.0.1:\(self.receiver.port)"
        config.kubeMetrics.streaming.retry = .init(initialInterval: .milliseconds(200), multiplier: 1.5, maxInterval: .seconds(2),
                                                   maxElapsedTime: .seconds(300))
        config.kubeMetrics.logsStreaming.enabled = true
        config.kubeMetrics.logsStreaming.checkpointFile = scratch.path + "/events.checkpoint"
    }

    deinit {
        receiver.stop()
        server.stop()
    }

    /// Starts the agent's event stream and waits until its watch is open.
    func start() async throws -> EventStreamRun {
        let run = try EventStreamRun(config: config)
        try await eventually("the event watch is open") {
            let watches = (try? self.server.state()["watches"] as? [[String: Any]]) ?? []
            return watches.contains { $0["resource"] as? String == "events" }
        }
        return run
    }

    func write(_ event: [String: Any]) throws {
        try server.upsert(resource: "events", object: event)
    }

    struct Occurrence {
        var uid: String
        var count: Int
        var time: String
        var body: String
        var severityText: String
        var severityNumber: String?
        var attributes: [String: String]
        /// `service.instance.id` of the record's resource: the replica that sent it.
        var sender: String

        /// `uid#count`.
        var key: String { "\(uid)#\(count)" }
    }

    /// Every log record the receiver accepted, in arrival order (a refused request is
    /// recorded too, and its records come again in the retry).
    func occurrences() throws -> [Occurrence] {
        Self.occurrences(in: try receiver.received())
    }

    /// The log records of the accepted requests among what a receiver recorded.
    static func occurrences(in requests: [[String: Any]]) -> [Occurrence] {
        requests.filter { request in
            let answered = request["answered"]
            return request["signal"] as? String == "logs" && (answered as? String == "OK" || answered as? Int == 200)
        }.flatMap { request -> [Occurrence] in
            let resources = (request["request"] as? [String: Any])?["resource_logs"] as? [[String: Any]] ?? []
            return resources.flatMap { resource -> [Occurrence] in
                let sender = attributes((resource["resource"] as? [String: Any])?["attributes"])["service.instance.id"] ?? ""
                let records = (resource["scope_logs"] as? [[String: Any]] ?? []).flatMap { $0["log_records"] as? [[String: Any]] ?? [] }
                return records.map { record in
                    let attributes = attributes(record["attributes"])
                    return Occurrence(uid: attributes["k8s.event.uid"] ?? "", count: Int(attributes["k8s.event.count"] ?? "") ?? 0,
                                      time: record["time_unix_nano"] as? String ?? "",
                                      body: (record["body"] as? [String: Any])?["string_value"] as? String ?? "",
                                      severityText: record["severity_text"] as? String ?? "",
                                      severityNumber: record["severity_number"] as? String, attributes: attributes, sender: sender)
                }
            }
        }
    }

    private static func attributes(_ list: Any?) -> [String: String] {
        var out: [String: String] = [:]
        for attribute in list as? [[String: Any]] ?? [] {
            let value = attribute["value"] as? [String: Any] ?? [:]
            out[attribute["key"] as? String ?? ""] = (value["string_value"] ?? value["int_value"]).map { "\($0)" } ?? ""
        }
        return out
    }

    /// `uid#count` of every record, sorted (duplicates kept).
    func occurrenceKeys() throws -> [String] {
        try occurrences().map(\.key).sorted()
    }

    func waitForOccurrences(_ count: Int, timeout: Duration = .seconds(30)) async throws {
        try await eventually("\(count) records arrive", timeout: timeout) { ((try? self.occurrences().count) ?? 0) >= count }
    }

    func eventually(_ what: String, timeout: Duration = .seconds(30), _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting until \(what)")
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// A core/v1 event as the API server serves what client-go's core/v1 recorder
    /// writes: `count` occurrences, the last at second `count` past 10:00.
    static func event(_ name: String, uid: String, count: Int, type: String = "Warning", message: String? = nil) -> [String: Any] {
        [
            "metadata": ["name": name, "namespace": "default", "uid": uid, "creationTimestamp": "2026-12-03T10:00:01Z"],
            "involvedObject": ["kind": "Pod", "namespace": "default", "name": "web-0", "uid": "pod-\(uid)", "apiVersion": "v1",
                               "resourceVersion": "4242", "fieldPath": "spec.containers{web}"],
            "reason": "BackOff",
            "message": message ?? "Back-off restarting failed container web (\(count))",
            "source": ["component": "kubelet", "host": "node-1"],
            "firstTimestamp": "2026-12-03T10:00:01Z",
            "lastTimestamp": "2026-12-03T10:00:\(count < 10 ? "0" : "")\(count)Z",
            "count": count,
            "type": type,
            "eventTime": NSNull(),
            "reportingComponent": "kubelet",
            "reportingInstance": "node-1",
        ]
    }

    /// 2026-12-03T10:00:<second>Z in Unix nanoseconds, as the receiver prints it.
    static func unixNano(second: Int) -> String {
        String((1_796_292_000 + Int64(second)) * 1_000_000_000)
    }
}

struct EventStreamOff: Error {}

/// One start of the agent's event stream (as `Agent.run` runs it), until `stop`.
final class EventStreamRun: Sendable {
    let agent: Agent
    let forwarder: EventForwarder
    let exporter: OTLPExporter
    private let task: Task<Void, Never>

    init(config: AgentConfig) throws {
        agent = try Agent(config: config, nodeName: "test", environment: [:], logger: Logger(label: "test"))
        guard let events = agent.events else { throw EventStreamOff() }
        forwarder = events.forwarder
        exporter = events.shipper.exporter
        task = Task {
            events.shipper.start()
            await events.forwarder.run()
        }
    }

    /// A graceful stop: the last records go out, the checkpoint is written.
    func stop() async {
        task.cancel()
        await task.value
        agent.kubernetes?.client.shutdown()
    }
}
