import Foundation
import HTTP2Transport
import Logging
@testable import OTLPWire
import TelemetryModel
import Testing
import TestSupport

/// The exporter against real peers: the grpcio receiver on the official OTLP stubs,
/// and a hyper-h2 server that misbehaves on purpose.
@Suite(.serialized)
struct OTLPExporterTests {
    static let fastRetry = RetryPolicy(initialInterval: .milliseconds(100), multiplier: 1.5, maximumInterval: .seconds(1),
                                       maximumElapsedTime: .seconds(20), randomizationFactor: 0.2)

    /// An exporter whose send loop runs until the returned task is cancelled.
    func makeExporter(port: Int, scheme: String = "http", host: String = "127.0.0.1", retry: RetryPolicy = fastRetry,
                  compression: GRPCUnaryCall.Compression = .gzip, directory: String? = nil, queueBytes: Int = 64 << 20,
                  tls: TLSConfiguration = TLSConfiguration(), timeout: Duration = .seconds(5)) throws -> (OTLPExporter, Task<Void, Never>) {
        let transport = try GRPCTransport(endpoint: HTTP2Endpoint(url: "\(scheme)://\(host):\(port)"), settings: TransportSettings(
            tls: tls, headers: [("x-tenant", "acme")], compression: compression, timeout: timeout, userAgent: "telegen/test"))
        let exporter = try OTLPExporter(transport: transport, configuration: .init(retry: retry, queueMaximumBytes: queueBytes, queueDirectory: directory),
                                        logger: Logger(label: "test"))
        let task = Task { await exporter.run() }
        return (exporter, task)
    }

    func stop(_ exporter: OTLPExporter, _ task: Task<Void, Never>) async {
        task.cancel()
        await task.value
        await exporter.close()
    }

    static let resource = OTLPResource(attributes: [.init("service.name", .string("telegen")), .init("k8s.node.name", .string("node-7"))])

    /// A batch whose single gauge point carries `marker`, so each batch is recognisable.
    func markedBatch(_ marker: Int) -> ExportBatch {
        let family = MetricFamily(name: "test_marker", help: "h", type: .gauge,
                                  series: [Series(labels: LabelSet(names: ["batch"], values: [String(marker)]), value: Double(marker))])
        let request = OTLPMetricsEncoder(resource: Self.resource)
            .encode([.init(scope: OTLPScope(name: "telegen.test", version: "1"), families: [family], timeUnixNano: 1)]).requests[0]
        return ExportBatch(signal: .metrics, message: request.bytes, items: request.points)
    }

    /// The markers of every request the receiver accepted, in arrival order.
    func markers(_ records: [[String: Any]]) -> [Int] {
        records.filter { ($0["answered"] as? String) == "OK" }.compactMap { record in
            let request = record["request"] as? [String: Any]
            let metrics = (((request?["resource_metrics"] as? [[String: Any]])?.first?["scope_metrics"] as? [[String: Any]])?.first?["metrics"] as? [[String: Any]])
            let point = ((metrics?.first?["gauge"] as? [String: Any])?["data_points"] as? [[String: Any]])?.first
            return (point?["as_double"] as? Double).map(Int.init)
        }
    }

    func waitUntil(timeout: Duration = .seconds(30), _ condition: () async -> Bool) async {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if await condition() { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    // MARK: Content

    @Test func metricsArriveWithEveryFieldIntact() async throws {
        let receiver = try OTLPReceiver()
        let (exporter, task) = try makeExporter(port: receiver.port)
        defer { task.cancel() }  // a failed expectation must not leave the sender running
        let counter = MetricFamily(name: "node_cpu_seconds_total", help: "Seconds the CPUs spent in each mode.", type: .counter, unit: "s",
                                   series: [Series(labels: LabelSet(names: ["cpu", "mode"], values: ["0", "idle"]), value: 909.53,
                                                   startTimeUnixNano: 1_795_303_313_000_000_000)])
        let gauge = MetricFamily(name: "kube_pod_info", help: "Information about pod.", type: .gauge, stability: .stable,
                                 series: [Series(labels: LabelSet(names: ["namespace", "pod", "node"], values: ["default", "web-0", ""]), value: 1)])
        var fields = SignalMetadataFields()
        fields.description = true
        let encoded = OTLPMetricsEncoder(resource: Self.resource, signalMetadata: (.telegen, fields))
            .encode([.init(scope: OTLPScope(name: "telegen.node", version: "0.1.0"), families: [counter], timeUnixNano: 1_795_400_000_000_000_000),
                     .init(scope: OTLPScope(name: "telegen.kubestate", version: "0.1.0"), families: [gauge], timeUnixNano: 1_795_400_001_000_000_000)])
        for request in encoded.requests { await exporter.enqueue(ExportBatch(signal: .metrics, message: request.bytes, items: request.points)) }
        let records = try await receiver.waitForRequests(1)
        await stop(exporter, task)

        let record = try #require(records.first)
        #expect((record["metadata"] as? [String: String])?["x-tenant"] == "acme")
        #expect((record["metadata"] as? [String: String])?["user-agent"]?.hasPrefix("telegen/test") == true)
        let resourceMetrics = try #require((record["request"] as? [String: Any])?["resource_metrics"] as? [[String: Any]])
        #expect(resourceMetrics.count == 1)
        let resourceAttributes = try #require((resourceMetrics[0]["resource"] as? [String: Any])?["attributes"] as? [[String: Any]])
        #expect(resourceAttributes.map { $0["key"] as? String } == ["service.name", "k8s.node.name"])
        #expect((resourceAttributes[1]["value"] as? [String: Any])?["string_value"] as? String == "node-7")
        let scopes = try #require(resourceMetrics[0]["scope_metrics"] as? [[String: Any]])
        #expect(scopes.map { ($0["scope"] as? [String: Any])?["name"] as? String } == ["telegen.node", "telegen.kubestate"])
        #expect((scopes[0]["scope"] as? [String: Any])?["version"] as? String == "0.1.0")

        let cpu = try #require((scopes[0]["metrics"] as? [[String: Any]])?.first)
        #expect(cpu["name"] as? String == "node_cpu_seconds_total")
        #expect(cpu["description"] as? String == "Seconds the CPUs spent in each mode.")
        #expect(cpu["unit"] as? String == "s")
        let sum = try #require(cpu["sum"] as? [String: Any])
        #expect(sum["aggregation_temporality"] as? String == "AGGREGATION_TEMPORALITY_CUMULATIVE")
        #expect(sum["is_monotonic"] as? Bool == true)
        let point = try #require((sum["data_points"] as? [[String: Any]])?.first)
        #expect(point["as_double"] as? Double == 909.53)
        #expect(point["start_time_unix_nano"] as? String == "1795303313000000000")
        #expect(point["time_unix_nano"] as? String == "1795400000000000000")
        let attributes = try #require(point["attributes"] as? [[String: Any]])
        #expect(attributes.map { $0["key"] as? String } == ["cpu", "mode"])
        let metadata = try #require(cpu["metadata"] as? [[String: Any]])
        #expect(metadata.map { $0["key"] as? String } == ["telegen.signal.category", "telegen.signal.subcategory", "telegen.source.module",
                                                          "telegen.collector.type", "telegen.signal.description"])
        #expect((metadata[0]["value"] as? [String: Any])?["string_value"] as? String == "Node Metrics")

        let info = try #require((scopes[1]["metrics"] as? [[String: Any]])?.first)
        #expect(info["description"] as? String == "[STABLE] Information about pod.")
        let gaugePoint = try #require(((info["gauge"] as? [String: Any])?["data_points"] as? [[String: Any]])?.first)
        #expect(gaugePoint["start_time_unix_nano"] == nil)
        // The empty `node` label is left out, as Prometheus would.
        #expect((gaugePoint["attributes"] as? [[String: Any]])?.map { $0["key"] as? String } == ["namespace", "pod"])
        #expect(exporter.statistics[.metrics].sentItems == 2)
    }

    @Test func logsArriveWithEveryFieldIntact() async throws {
        let receiver = try OTLPReceiver()
        let (exporter, task) = try makeExporter(port: receiver.port, compression: .none)
        defer { task.cancel() }  // a failed expectation must not leave the sender running
        let record = LogRecord(timeUnixNano: 1_795_000_000_000_000_000, observedTimeUnixNano: 1_795_000_000_500_000_000,
                               severityNumber: 13, severityText: "Warning", body: "Back-off restarting failed container",
                               attributes: [.init("k8s.event.reason", .string("BackOff")), .init("k8s.event.count", .int(12))])
        let encoded = OTLPLogsEncoder(resource: Self.resource, scope: OTLPScope(name: "telegen.events", version: "0.1.0")).encode([record])
        await exporter.enqueue(ExportBatch(signal: .logs, message: encoded.requests[0].bytes, items: 1))
        let records = try await receiver.waitForRequests(1)
        await stop(exporter, task)
        #expect(records.first?["signal"] as? String == "logs")
        let log = try #require(((((records.first?["request"] as? [String: Any])?["resource_logs"] as? [[String: Any]])?.first?["scope_logs"]
            as? [[String: Any]])?.first?["log_records"] as? [[String: Any]])?.first)
        #expect(log["severity_number"] as? String == "SEVERITY_NUMBER_WARN")
        #expect(log["severity_text"] as? String == "Warning")
        #expect((log["body"] as? [String: Any])?["string_value"] as? String == "Back-off restarting failed container")
        #expect(log["time_unix_nano"] as? String == "1795000000000000000")
        #expect(log["observed_time_unix_nano"] as? String == "1795000000500000000")
        let count = (log["attributes"] as? [[String: Any]])?.first { $0["key"] as? String == "k8s.event.count" }
        #expect((count?["value"] as? [String: Any])?["int_value"] as? String == "12")
        #expect(exporter.statistics[.logs].sentItems == 1)
    }

    // MARK: Transport

    @Test func tlsAndMutualTLSAndAWrongHostName() async throws {
        let certificates = try TestCertificates()
        let receiver = try OTLPReceiver(tls: .init(certificate: certificates.serverCertificate, key: certificates.serverKey,
                                                   clientCA: certificates.caCertificate))
        let good = TLSConfiguration(certificateAuthority: .file(certificates.caCertificate), certificate: .file(certificates.clientCertificate),
                                    privateKey: .file(certificates.clientKey))
        let (exporter, task) = try makeExporter(port: receiver.port, scheme: "https", host: "localhost", tls: good)
        defer { task.cancel() }  // a failed expectation must not leave the sender running
        await exporter.enqueue(markedBatch(1))
        #expect(markers(try await receiver.waitForRequests(1)) == [1])
        await stop(exporter, task)

        var misnamed = good
        misnamed.serverName = "wrong.example"
        let noRetry = RetryPolicy(initialInterval: .milliseconds(50), maximumElapsedTime: .milliseconds(200))
        let (refused, refusedTask) = try makeExporter(port: receiver.port, scheme: "https", host: "127.0.0.1", retry: noRetry, tls: misnamed)
        defer { refusedTask.cancel() }  // a failed expectation must not leave the sender running
        await refused.enqueue(markedBatch(2))
        await waitUntil { refused.statistics[.metrics].failedItems == 1 }
        await stop(refused, refusedTask)
        #expect(refused.statistics[.metrics].failedItems == 1)
        #expect(refused.statistics[.metrics].requests["UNAVAILABLE"] ?? 0 >= 1)
        #expect(markers(try receiver.received()) == [1])
    }

    @Test func gzipIsOnTheWireWhenConfiguredAndAbsentWhenNot() async throws {
        for compression in [GRPCUnaryCall.Compression.gzip, .none] {
            let server = try PythonServer(script: "h2_server.py", arguments: ["--mode", "ok"])
            let (exporter, task) = try makeExporter(port: server.port, compression: compression)
            defer { task.cancel() }  // a failed expectation must not leave the sender running
            let big = MetricFamily(name: "g", help: "h", type: .gauge, series: (0..<2000).map {
                Series(labels: LabelSet(names: ["pod"], values: ["pod-\($0 % 10)"]), value: 1)
            })
            let request = OTLPMetricsEncoder(resource: Self.resource)
                .encode([.init(scope: OTLPScope(name: "s", version: ""), families: [big], timeUnixNano: 1)]).requests[0]
            await exporter.enqueue(ExportBatch(signal: .metrics, message: request.bytes, items: request.points))
            let record = try #require(try await server.waitForRecords(1).first)
            await stop(exporter, task)
            let wireBytes = try #require(record["bytes"] as? Int)
            if compression == .gzip {
                #expect(record["grpc_encoding"] as? String == "gzip")
                #expect(record["compressed_flag"] as? Int == 1)
                #expect(wireBytes < request.bytes.count / 5, "gzip sent \(wireBytes) of \(request.bytes.count) bytes")
            } else {
                #expect(record["grpc_encoding"] is NSNull || record["grpc_encoding"] == nil)
                #expect(record["compressed_flag"] as? Int == 0)
                #expect(wireBytes == request.bytes.count + 5)
            }
        }
    }

    // MARK: Retry rules

    @Test func unavailableThreeTimesThenOKIsDeliveredExactlyOnce() async throws {
        let receiver = try OTLPReceiver(script: [["status": "UNAVAILABLE"], ["status": "UNAVAILABLE"], ["status": "UNAVAILABLE"]])
        let (exporter, task) = try makeExporter(port: receiver.port)
        defer { task.cancel() }  // a failed expectation must not leave the sender running
        await exporter.enqueue(markedBatch(7))
        let records = try await receiver.waitForRequests(4)
        await stop(exporter, task)
        #expect(records.map { $0["answered"] as? String } == ["UNAVAILABLE", "UNAVAILABLE", "UNAVAILABLE", "OK"])
        #expect(markers(records) == [7])
        let statistics = exporter.statistics[.metrics]
        #expect(statistics.retries == 3 && statistics.sentItems == 1 && statistics.failedItems == 0)
        #expect(statistics.requests == ["UNAVAILABLE": 3, "OK": 1])
    }

    @Test func resourceExhaustedIsRetriedOnlyWithRetryInfoAndAfterItsDelay() async throws {
        let receiver = try OTLPReceiver(script: [["status": "RESOURCE_EXHAUSTED"],
                                                 ["status": "RESOURCE_EXHAUSTED", "retry_delay": 1.5]])
        let (exporter, task) = try makeExporter(port: receiver.port)
        defer { task.cancel() }  // a failed expectation must not leave the sender running
        await exporter.enqueue(markedBatch(1))  // no RetryInfo: given up at once
        await waitUntil { exporter.statistics[.metrics].failedItems == 1 }
        let started = ContinuousClock.now
        await exporter.enqueue(markedBatch(2))  // RetryInfo 1.5 s: retried after it
        await waitUntil { exporter.statistics[.metrics].sentItems == 1 }
        let waited = ContinuousClock.now - started
        await stop(exporter, task)
        let records = try receiver.received()
        #expect(records.map { $0["answered"] as? String } == ["RESOURCE_EXHAUSTED", "RESOURCE_EXHAUSTED", "OK"])
        #expect(markers(records) == [2])
        #expect(waited >= .milliseconds(1500), "retried after \(waited)")
        #expect(exporter.statistics[.metrics].failedItems == 1 && exporter.statistics[.metrics].retries == 1)
    }

    /// A RetryInfo of zero or less asks for no wait: the backoff still applies (the
    /// Collector waits the larger of the two), so such a server is not called in a loop.
    @Test func retryInfoOfZeroOrLessStillBacksOff() async throws {
        let receiver = try OTLPReceiver(script: [["status": "UNAVAILABLE", "retry_delay": 0.0],
                                                 ["status": "RESOURCE_EXHAUSTED", "retry_delay": -5.0],
                                                 ["status": "UNAVAILABLE", "retry_delay": 0.0]])
        let backoff = RetryPolicy(initialInterval: .milliseconds(200), multiplier: 2, maximumInterval: .seconds(1),
                                  maximumElapsedTime: .seconds(20), randomizationFactor: 0)
        let (exporter, task) = try makeExporter(port: receiver.port, retry: backoff)
        defer { task.cancel() }  // a failed expectation must not leave the sender running
        let started = ContinuousClock.now
        await exporter.enqueue(markedBatch(3))
        await waitUntil { exporter.statistics[.metrics].sentItems == 1 }
        let waited = ContinuousClock.now - started
        await stop(exporter, task)
        let records = try receiver.received()
        #expect(records.map { $0["answered"] as? String } == ["UNAVAILABLE", "RESOURCE_EXHAUSTED", "UNAVAILABLE", "OK"])
        #expect(waited >= .milliseconds(1400), "three retries after \(waited): 200 + 400 + 800 ms expected")
        #expect(exporter.statistics[.metrics].retries == 3)
    }

    @Test func aPermanentErrorIsNotRetried() async throws {
        let receiver = try OTLPReceiver(script: [["status": "INVALID_ARGUMENT", "message": "bad data: ü%"]])
        let (exporter, task) = try makeExporter(port: receiver.port)
        defer { task.cancel() }  // a failed expectation must not leave the sender running
        await exporter.enqueue(markedBatch(1))
        await waitUntil { exporter.statistics[.metrics].failedItems == 1 }
        await exporter.enqueue(markedBatch(2))
        #expect(markers(try await receiver.waitForRequests(2)) == [2])
        await stop(exporter, task)
        #expect(exporter.statistics[.metrics].retries == 0)
        #expect(exporter.statistics[.metrics].requests["INVALID_ARGUMENT"] == 1)
    }

    @Test func partialSuccessIsCountedNotRetried() async throws {
        let receiver = try OTLPReceiver(script: [["partial": 1, "message": "one point had a NaN"]])
        let (exporter, task) = try makeExporter(port: receiver.port)
        defer { task.cancel() }  // a failed expectation must not leave the sender running
        let family = MetricFamily(name: "g", help: "h", type: .gauge, series: (0..<5).map { Series(labels: LabelSet(names: ["i"], values: ["\($0)"]), value: 1) })
        let request = OTLPMetricsEncoder(resource: Self.resource).encode([.init(scope: OTLPScope(name: "s", version: ""), families: [family], timeUnixNano: 1)]).requests[0]
        await exporter.enqueue(ExportBatch(signal: .metrics, message: request.bytes, items: 5))
        await waitUntil { exporter.statistics[.metrics].sentItems > 0 }
        try await Task.sleep(for: .milliseconds(300))
        await stop(exporter, task)
        #expect(try receiver.received().count == 1)
        let statistics = exporter.statistics[.metrics]
        #expect(statistics.sentItems == 4 && statistics.rejectedItems == 1 && statistics.retries == 0)
    }

    // MARK: Outages and restarts

    @Test func aReceiverDownForAMinuteGetsEveryBatchOnceWhenItReturns() async throws {
        let receiver = try OTLPReceiver()
        receiver.stop()
        let retry = RetryPolicy(initialInterval: .seconds(1), multiplier: 1.5, maximumInterval: .seconds(5),
                                maximumElapsedTime: .seconds(300), randomizationFactor: 0.5)
        let (exporter, task) = try makeExporter(port: receiver.port, retry: retry)
        defer { task.cancel() }  // a failed expectation must not leave the sender running
        // One batch every 5 seconds while the receiver is down for 60 seconds.
        for marker in 1...12 {
            await exporter.enqueue(markedBatch(marker))
            try await Task.sleep(for: .seconds(5))
        }
        try receiver.start()
        let records = try await receiver.waitForRequests(12, timeout: .seconds(60))
        try await Task.sleep(for: .seconds(1))
        await stop(exporter, task)
        #expect(markers(try receiver.received()) == Array(1...12), "\(markers(records))")
        let statistics = exporter.statistics[.metrics]
        #expect(statistics.sentItems == 12 && statistics.failedItems == 0 && statistics.retries > 0)
        #expect(statistics.droppedItems.isEmpty)
    }

    @Test func aDiskQueueSurvivesARestart() async throws {
        let queue = try TemporaryDirectory("queue")
        let port = try LocalPort.free()
        let (first, firstTask) = try makeExporter(port: port, directory: queue.path)
        defer { firstTask.cancel() }  // a failed expectation must not leave the sender running
        for marker in 1...3 { await first.enqueue(markedBatch(marker)) }
        try await Task.sleep(for: .milliseconds(300))  // nobody listens: they wait in the queue
        await stop(first, firstTask)
        #expect(try FileManager.default.contentsOfDirectory(atPath: queue.path).filter { $0.hasSuffix(".otlp") }.count == 3)
        #expect(first.statistics[.metrics].droppedItems.isEmpty)

        let receiver = try OTLPReceiver(port: port)
        let (second, secondTask) = try makeExporter(port: port, directory: queue.path)
        defer { secondTask.cancel() }  // a failed expectation must not leave the sender running
        let records = try await receiver.waitForRequests(3)
        await waitUntil { second.statistics.queueBatches == 0 }
        await stop(second, secondTask)
        #expect(markers(records) == [1, 2, 3])
        #expect(try FileManager.default.contentsOfDirectory(atPath: queue.path).filter { $0.hasSuffix(".otlp") }.isEmpty)
    }

    @Test func aFullQueueDropsTheOldestAndCountsIt() async throws {
        let refused = try RefusedPort()  // nothing listens: batches stay queued
        let port = refused.port
        defer { withExtendedLifetime(refused) {} }  // refusing until the test ends
        let batch = markedBatch(0)
        let (exporter, task) = try makeExporter(port: port, retry: RetryPolicy(initialInterval: .seconds(60)), queueBytes: batch.message.count * 3)
        defer { task.cancel() }  // a failed expectation must not leave the sender running
        for marker in 1...5 { await exporter.enqueue(markedBatch(marker)) }
        await waitUntil { exporter.statistics[.metrics].droppedItems["queue_full"] == 2 }
        let statistics = exporter.statistics
        await stop(exporter, task)
        #expect(statistics[.metrics].droppedItems == ["queue_full": 2])
        #expect(statistics.queueBatches == 3)
        #expect(exporter.statistics[.metrics].droppedItems == ["queue_full": 2, "shutdown": 3])
    }

    // MARK: Size limits

    @Test func aHundredThousandPointBatchIsSplitUnderTheReceiversLimit() async throws {
        let receiver = try OTLPReceiver(maximumReceiveBytes: 4 * 1024 * 1024)
        // The Python receiver turns each 4 MiB request into a dict for the test, which
        // takes seconds on a busy 2-core machine: a request timed out would be re-sent
        // (at-least-once, as OTLP intends) and counted twice here.
        let (exporter, task) = try makeExporter(port: receiver.port, timeout: .seconds(60))
        defer { task.cancel() }  // a failed expectation must not leave the sender running
        let family = MetricFamily(name: "container_memory_working_set_bytes", help: "Current working set in bytes.", type: .gauge, unit: "By",
                                  series: (0..<100_000).map { index in
                                      Series(labels: LabelSet(names: ["id", "container", "pod", "namespace"],
                                                              values: ["/kubepods/pod\(index)", "app", "pod-\(index)", "namespace-\(index % 50)"]),
                                             value: Double(index))
                                  })
        let output = OTLPMetricsEncoder(resource: Self.resource).encode([.init(scope: OTLPScope(name: "telegen.cadvisor", version: "1"), families: [family], timeUnixNano: 1)])
        #expect(output.requests.count > 1)
        for request in output.requests { await exporter.enqueue(ExportBatch(signal: .metrics, message: request.bytes, items: request.points)) }
        let records = try await receiver.waitForRequests(output.requests.count, timeout: .seconds(60))
        await stop(exporter, task)
        #expect(records.allSatisfy { $0["answered"] as? String == "OK" })
        let received = records.reduce(0) { total, record in
            let metrics = ((((record["request"] as? [String: Any])?["resource_metrics"] as? [[String: Any]])?.first?["scope_metrics"] as? [[String: Any]])?.first?["metrics"] as? [[String: Any]]) ?? []
            return total + metrics.reduce(0) { $0 + (((($1["gauge"] as? [String: Any])?["data_points"]) as? [[String: Any]])?.count ?? 0) }
        }
        #expect(received == 100_000)
        #expect(exporter.statistics[.metrics].sentItems == 100_000)
    }

    // MARK: Misbehaving peers

    @Test func aGoAwayDuringASendMovesTheRequestToANewConnection() async throws {
        let server = try PythonServer(script: "h2_server.py", arguments: ["--mode", "goaway-first"])
        let (exporter, task) = try makeExporter(port: server.port)
        defer { task.cancel() }  // a failed expectation must not leave the sender running
        await exporter.enqueue(markedBatch(1))
        let records = try await server.waitForRecords(1)
        await waitUntil { exporter.statistics[.metrics].sentItems == 1 }
        await stop(exporter, task)
        // Refused on connection 1 (GOAWAY, last stream 0), served once on connection 2.
        #expect(records.count == 1)
        #expect(records.first?["connection"] as? Int == 2)
        let statistics = exporter.statistics[.metrics]
        #expect(statistics.sentItems == 1 && statistics.retries == 0 && statistics.failedItems == 0)
    }

    @Test(arguments: ["reset", "garbage"])
    func aBrokenPeerIsCountedAndTheExporterKeepsWorking(mode: String) async throws {
        let server = try PythonServer(script: "h2_server.py", arguments: ["--mode", mode])
        let retry = RetryPolicy(initialInterval: .milliseconds(50), multiplier: 1.5, maximumInterval: .milliseconds(200),
                                maximumElapsedTime: .seconds(1), randomizationFactor: 0)
        let (exporter, task) = try makeExporter(port: server.port, retry: retry)
        defer { task.cancel() }  // a failed expectation must not leave the sender running
        await exporter.enqueue(markedBatch(1))
        await waitUntil { exporter.statistics[.metrics].failedItems == 1 }
        // The same exporter still delivers once a sane receiver listens on the port.
        server.stop()
        let receiver = try OTLPReceiver(port: server.port)
        await exporter.enqueue(markedBatch(2))
        let records = try await receiver.waitForRequests(1)
        await stop(exporter, task)
        #expect(markers(records) == [2])
        let statistics = exporter.statistics[.metrics]
        #expect(statistics.failedItems == 1 && statistics.retries > 0 && statistics.sentItems == 1)
        #expect(statistics.requests.keys.contains("UNAVAILABLE") || statistics.requests.keys.contains("INTERNAL"), "\(statistics.requests)")
    }

    @Test func anUnresolvableHostIsCountedAsFailed() async throws {
        let retry = RetryPolicy(initialInterval: .milliseconds(50), maximumElapsedTime: .milliseconds(300))
        let transport = try GRPCTransport(endpoint: HTTP2Endpoint(url: "http://collector.invalid:4317"), settings: TransportSettings(userAgent: "telegen/test"))
        let exporter = try OTLPExporter(transport: transport, configuration: .init(retry: retry), logger: Logger(label: "test"))
        let task = Task { await exporter.run() }
        defer { task.cancel() }
        await exporter.enqueue(markedBatch(1))
        await waitUntil { exporter.statistics[.metrics].failedItems == 1 }
        await stop(exporter, task)
        #expect(exporter.statistics[.metrics].failedItems == 1)
        #expect(exporter.statistics[.metrics].requests["UNAVAILABLE"] ?? 0 >= 1)
    }
}

/// Unit checks of the pieces the exporter is built from.
struct GRPCPiecesTests {
    @Test func retryPolicyFollowsTheCollectorsDefaults() {
        let policy = RetryPolicy()
        #expect(policy.delay(beforeRetry: 1, random: 0.5) == .seconds(5))
        #expect(policy.delay(beforeRetry: 2, random: 0.5) == .milliseconds(7500))
        #expect(policy.delay(beforeRetry: 10, random: 0.5) == .seconds(30))
        #expect(policy.delay(beforeRetry: 1, random: 0) == .milliseconds(2500))
        #expect(policy.delay(beforeRetry: 1, random: 0.999_999) > .milliseconds(7499))
        for code in GRPCStatusCode.allCases {
            let retryable = [.cancelled, .deadlineExceeded, .aborted, .outOfRange, .unavailable, .dataLoss].contains(code)
            #expect(RetryPolicy.isRetryable(GRPCStatus(code: code)) == retryable, "\(code)")
        }
        #expect(RetryPolicy.isRetryable(GRPCStatus(code: .resourceExhausted, retryDelay: .seconds(1))))
    }

    @Test func statusComesFromTrailersTrailersOnlyOrTheHTTPStatus() {
        let ok = GRPCUnaryCall.interpret(HTTP2Response(status: 200, headers: [("content-type", "application/grpc")],
                                                       body: [0, 0, 0, 0, 0], trailers: [("grpc-status", "0"), ("grpc-message", "")]))
        #expect(ok.status.code == .ok && ok.message == [])
        let trailersOnly = GRPCUnaryCall.interpret(HTTP2Response(status: 200, headers: [("grpc-status", "14"), ("grpc-message", "busy%20%C3%BC%25")],
                                                                 body: [], trailers: []))
        #expect(trailersOnly.status == GRPCStatus(code: .unavailable, message: "busy ü%"))
        #expect(GRPCUnaryCall.interpret(HTTP2Response(status: 503, headers: [], body: [], trailers: [])).status.code == .unavailable)
        #expect(GRPCUnaryCall.interpret(HTTP2Response(status: 404, headers: [], body: [], trailers: [])).status.code == .unimplemented)
        #expect(GRPCUnaryCall.interpret(HTTP2Response(status: 200, headers: [], body: [], trailers: [])).status.code == .unknown)
        #expect(GRPCUnaryCall.interpret(HTTP2Response(status: 200, headers: [], body: [], trailers: [("grpc-status", "x")])).status.code == .unknown)
        // A malformed escape stays as it is.
        #expect(GRPCMessageText.decode("100%zz done%") == "100%zz done%")
    }

    @Test func grpcTimeoutHeaderHasAtMostEightDigits() {
        #expect(GRPCUnaryCall.timeoutHeader(.seconds(10)) == "10000m")
        #expect(GRPCUnaryCall.timeoutHeader(.milliseconds(1)) == "1m")
        #expect(GRPCUnaryCall.timeoutHeader(.seconds(200_000)) == "200000S")
    }

    @Test func transportFailuresMapToRetryableOrNotStatuses() {
        #expect(GRPCStatus.fromTransport(.connectFailed("x")).code == .unavailable)
        #expect(GRPCStatus.fromTransport(.timedOut).code == .deadlineExceeded)
        #expect(GRPCStatus.fromTransport(.streamReset(code: 7)).code == .unavailable)
        #expect(GRPCStatus.fromTransport(.streamReset(code: 11)).code == .resourceExhausted)
        #expect(GRPCStatus.fromTransport(.responseTooLarge(limit: 1)).code == .resourceExhausted)
    }

    @Test func base64AcceptsPaddedAndUnpadded() {
        #expect(Base64.decode("aGVsbG8=") == Array("hello".utf8))
        #expect(Base64.decode("aGVsbG8") == Array("hello".utf8))
        #expect(Base64.decode("not base64!") == nil)
    }
}
