import Foundation
import HTTP2Transport
import Logging
@testable import OTLPWire
import TelemetryModel
import Testing
import TestSupport

/// The exporter over OTLP/HTTP against a real peer: the Python receiver on http.server
/// that decodes requests with the official opentelemetry-proto package and answers
/// from a script (Tests/Python/otlp_http_receiver.py).
@Suite(.serialized)
struct OTLPHTTPExporterTests {
    let grpcTests = OTLPExporterTests()

    static func urls(port: Int, scheme: String = "http", host: String = "127.0.0.1") -> [OTLPSignal: String] {
        [.metrics: "\(scheme)://\(host):\(port)/v1/metrics", .logs: "\(scheme)://\(host):\(port)/v1/logs"]
    }

    /// An exporter whose send loop runs until the returned task is cancelled.
    func makeExporter(port: Int, scheme: String = "http", host: String = "127.0.0.1", urls: [OTLPSignal: String]? = nil,
                      retry: RetryPolicy = OTLPExporterTests.fastRetry, compression: ExportCompression = .gzip,
                      tls: TLSConfiguration = TLSConfiguration(), timeout: Duration = .seconds(5),
                      logger: Logger = Logger(label: "test")) throws -> (OTLPExporter, Task<Void, Never>) {
        let transport = try OTLPHTTPTransport(urls: urls ?? Self.urls(port: port, scheme: scheme, host: host), settings: TransportSettings(
            tls: tls, headers: [("x-tenant", "acme")], compression: compression, timeout: timeout, userAgent: "telegen/test"))
        let exporter = try OTLPExporter(transport: transport, configuration: .init(retry: retry), logger: logger)
        let task = Task { await exporter.run() }
        return (exporter, task)
    }

    func stop(_ exporter: OTLPExporter, _ task: Task<Void, Never>) async {
        task.cancel()
        await task.value
        await exporter.close()
    }

    /// The markers (see `OTLPExporterTests.markedBatch`) of every request answered 2xx.
    func markers(_ records: [[String: Any]]) -> [Int] {
        grpcTests.markers(records.filter { ($0["answered"] as? Int).map { (200..<300).contains($0) } == true }.map {
            var record = $0
            record["answered"] = "OK"
            return record
        })
    }

    func answers(_ records: [[String: Any]]) -> [Int] {
        records.compactMap { $0["answered"] as? Int }
    }

    // MARK: Content

    @Test func metricsAndLogsArriveAtTheirPathsAndDecodeWithTheOfficialPackage() async throws {
        let receiver = try OTLPHTTPReceiver()
        let (exporter, task) = try makeExporter(port: receiver.port)
        defer { task.cancel() }  // a failed expectation must not leave the sender running
        let counter = MetricFamily(name: "node_cpu_seconds_total", help: "Seconds the CPUs spent in each mode.", type: .counter, unit: "s",
                                   series: [Series(labels: LabelSet(names: ["cpu", "mode"], values: ["0", "idle"]), value: 909.53,
                                                   startTimeUnixNano: 1_795_303_313_000_000_000)])
        let metrics = OTLPMetricsEncoder(resource: OTLPExporterTests.resource)
            .encode([.init(scope: OTLPScope(name: "telegen.node", version: "0.1.0"), families: [counter], timeUnixNano: 1_795_400_000_000_000_000)])
            .requests[0]
        await exporter.enqueue(ExportBatch(signal: .metrics, message: metrics.bytes, items: metrics.points))
        let record = LogRecord(timeUnixNano: 1_795_000_000_000_000_000, observedTimeUnixNano: 1_795_000_000_500_000_000,
                               severityNumber: 13, severityText: "Warning", body: "Back-off restarting failed container",
                               attributes: [.init("k8s.event.reason", .string("BackOff")), .init("k8s.event.count", .int(12))])
        let logs = OTLPLogsEncoder(resource: OTLPExporterTests.resource, scope: OTLPScope(name: "telegen.events", version: "0.1.0"))
            .encode([record]).requests[0]
        await exporter.enqueue(ExportBatch(signal: .logs, message: logs.bytes, items: 1))
        let records = try await receiver.waitForRequests(2)
        await grpcTests.waitUntil { exporter.statistics[.logs].sentItems == 1 }
        await stop(exporter, task)

        #expect(records.map { $0["path"] as? String } == ["/v1/metrics", "/v1/logs"])
        #expect(records.map { $0["signal"] as? String } == ["metrics", "logs"])
        for record in records {
            let headers = try #require(record["headers"] as? [String: String])
            #expect(record["method"] as? String == "POST")
            #expect(headers["content-type"] == "application/x-protobuf")
            #expect(headers["content-encoding"] == "gzip")
            #expect(headers["user-agent"] == "telegen/test")
            #expect(headers["x-tenant"] == "acme")
            #expect(headers["host"] == "127.0.0.1:\(receiver.port)")
        }

        let resourceMetrics = try #require((records[0]["request"] as? [String: Any])?["resource_metrics"] as? [[String: Any]])
        let attributes = try #require((resourceMetrics.first?["resource"] as? [String: Any])?["attributes"] as? [[String: Any]])
        #expect(attributes.map { $0["key"] as? String } == ["service.name", "k8s.node.name"])
        let cpu = try #require(((resourceMetrics.first?["scope_metrics"] as? [[String: Any]])?.first?["metrics"] as? [[String: Any]])?.first)
        #expect(cpu["name"] as? String == "node_cpu_seconds_total")
        #expect(cpu["unit"] as? String == "s")
        let point = try #require(((cpu["sum"] as? [String: Any])?["data_points"] as? [[String: Any]])?.first)
        #expect(point["as_double"] as? Double == 909.53)
        #expect(point["start_time_unix_nano"] as? String == "1795303313000000000")

        let log = try #require(((((records[1]["request"] as? [String: Any])?["resource_logs"] as? [[String: Any]])?.first?["scope_logs"]
            as? [[String: Any]])?.first?["log_records"] as? [[String: Any]])?.first)
        #expect(log["severity_number"] as? String == "SEVERITY_NUMBER_WARN")
        #expect((log["body"] as? [String: Any])?["string_value"] as? String == "Back-off restarting failed container")
        #expect(log["observed_time_unix_nano"] as? String == "1795000000500000000")

        let statistics = exporter.statistics
        #expect(statistics[.metrics].sentItems == 1 && statistics[.logs].sentItems == 1)
        #expect(statistics[.metrics].requests == ["200": 1])
        #expect(statistics[.logs].requests == ["200": 1])
    }

    @Test func gzipIsOnTheWireWhenConfiguredAndAbsentWhenNot() async throws {
        for compression in [ExportCompression.gzip, .none] {
            let receiver = try OTLPHTTPReceiver()
            let (exporter, task) = try makeExporter(port: receiver.port, compression: compression)
            defer { task.cancel() }  // a failed expectation must not leave the sender running
            let big = MetricFamily(name: "g", help: "h", type: .gauge, series: (0..<2000).map {
                Series(labels: LabelSet(names: ["pod"], values: ["pod-\($0 % 10)"]), value: 1)
            })
            let request = OTLPMetricsEncoder(resource: OTLPExporterTests.resource)
                .encode([.init(scope: OTLPScope(name: "s", version: ""), families: [big], timeUnixNano: 1)]).requests[0]
            await exporter.enqueue(ExportBatch(signal: .metrics, message: request.bytes, items: request.points))
            let record = try #require(try await receiver.waitForRequests(1).first)
            await stop(exporter, task)
            let wireBytes = try #require(record["wire_bytes"] as? Int)
            #expect(record["body_bytes"] as? Int == request.bytes.count)
            #expect(record["answered"] as? Int == 200)
            if compression == .gzip {
                #expect(record["content_encoding"] as? String == "gzip")
                #expect(wireBytes < request.bytes.count / 5, "gzip sent \(wireBytes) of \(request.bytes.count) bytes")
            } else {
                #expect(record["content_encoding"] is NSNull || record["content_encoding"] == nil)
                #expect(wireBytes == request.bytes.count)
            }
            #expect(exporter.statistics[.metrics].sentItems == 2000)
        }
    }

    // MARK: Retry rules

    @Test func serviceUnavailableWithRetryAfterIsRetriedAfterItAndDeliveredOnce() async throws {
        let receiver = try OTLPHTTPReceiver(script: [["status": 503, "retry_after": "2"]])
        let (exporter, task) = try makeExporter(port: receiver.port)
        defer { task.cancel() }  // a failed expectation must not leave the sender running
        let started = ContinuousClock.now
        await exporter.enqueue(grpcTests.markedBatch(7))
        await grpcTests.waitUntil { exporter.statistics[.metrics].sentItems == 1 }
        let waited = ContinuousClock.now - started
        await stop(exporter, task)
        let records = try receiver.received()
        #expect(answers(records) == [503, 200])
        #expect(markers(records) == [7])
        // The policy alone would have retried after about 100 ms.
        #expect(waited >= .seconds(2), "retried after \(waited)")
        let statistics = exporter.statistics[.metrics]
        #expect(statistics.retries == 1 && statistics.sentItems == 1 && statistics.failedItems == 0)
        #expect(statistics.requests == ["503": 1, "200": 1])
    }

    @Test func tooManyRequestsWithAnHTTPDateBadGatewayAndGatewayTimeoutAreRetried() async throws {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        // Two seconds ahead, in whole seconds: the wait is at least one.
        let date = formatter.string(from: Date().addingTimeInterval(2))
        let receiver = try OTLPHTTPReceiver(script: [["status": 429, "retry_after": date], ["status": 502], ["status": 504]])
        let (exporter, task) = try makeExporter(port: receiver.port)
        defer { task.cancel() }  // a failed expectation must not leave the sender running
        let started = ContinuousClock.now
        await exporter.enqueue(grpcTests.markedBatch(3))
        await grpcTests.waitUntil { exporter.statistics[.metrics].sentItems == 1 }
        let waited = ContinuousClock.now - started
        await stop(exporter, task)
        let records = try receiver.received()
        #expect(answers(records) == [429, 502, 504, 200])
        #expect(markers(records) == [3])
        #expect(waited >= .seconds(1), "retried after \(waited)")
        let statistics = exporter.statistics[.metrics]
        #expect(statistics.retries == 3 && statistics.failedItems == 0)
        #expect(statistics.requests == ["429": 1, "502": 1, "504": 1, "200": 1])
    }

    @Test func badRequestIsPermanentCountedAndTheStatusMessageLogged() async throws {
        let receiver = try OTLPHTTPReceiver(script: [["status": 400, "message": "metric name \"ü\" is invalid"],
                                                     ["status": 500, "text": "upstream exploded"]])
        let lines = RecordingLogHandler.Lines()
        let (exporter, task) = try makeExporter(port: receiver.port, logger: RecordingLogHandler.logger(lines))
        defer { task.cancel() }  // a failed expectation must not leave the sender running
        await exporter.enqueue(grpcTests.markedBatch(1))
        await grpcTests.waitUntil { exporter.statistics[.metrics].failedItems == 1 }
        await exporter.enqueue(grpcTests.markedBatch(2))  // 500 is not retryable in OTLP/HTTP either
        await grpcTests.waitUntil { exporter.statistics[.metrics].failedItems == 2 }
        await exporter.enqueue(grpcTests.markedBatch(3))
        await grpcTests.waitUntil { exporter.statistics[.metrics].sentItems == 1 }
        await stop(exporter, task)
        let records = try receiver.received()
        #expect(answers(records) == [400, 500, 200])
        #expect(markers(records) == [3])
        let statistics = exporter.statistics[.metrics]
        #expect(statistics.retries == 0 && statistics.failedItems == 2)
        #expect(statistics.requests == ["400": 1, "500": 1, "200": 1])
        let failures = lines.all.filter { $0.contains("export failed") }
        #expect(failures.count == 2, "\(lines.all)")
        #expect(failures.first?.contains("error=HTTP 400: metric name \"ü\" is invalid") == true, "\(failures)")
        #expect(failures.first?.contains("reason=not retryable") == true)
        #expect(failures.first?.contains("protocol=http/protobuf") == true)
        #expect(failures.last?.contains("error=HTTP 500: upstream exploded") == true, "\(failures)")
    }

    @Test func partialSuccessIsCountedNotRetried() async throws {
        let receiver = try OTLPHTTPReceiver(script: [["partial": 1, "message": "one point had a NaN"],
                                                     ["partial": 2, "message": "two more", "gzip_response": true]])
        let lines = RecordingLogHandler.Lines()
        let (exporter, task) = try makeExporter(port: receiver.port, logger: RecordingLogHandler.logger(lines))
        defer { task.cancel() }  // a failed expectation must not leave the sender running
        let family = MetricFamily(name: "g", help: "h", type: .gauge, series: (0..<5).map { Series(labels: LabelSet(names: ["i"], values: ["\($0)"]), value: 1) })
        let request = OTLPMetricsEncoder(resource: OTLPExporterTests.resource)
            .encode([.init(scope: OTLPScope(name: "s", version: ""), families: [family], timeUnixNano: 1)]).requests[0]
        await exporter.enqueue(ExportBatch(signal: .metrics, message: request.bytes, items: 5))
        await exporter.enqueue(ExportBatch(signal: .metrics, message: request.bytes, items: 5))
        await grpcTests.waitUntil { exporter.statistics[.metrics].sentItems == 7 }
        try await Task.sleep(for: .milliseconds(300))
        await stop(exporter, task)
        #expect(try receiver.received().count == 2)
        let statistics = exporter.statistics[.metrics]
        #expect(statistics.sentItems == 7 && statistics.rejectedItems == 3 && statistics.retries == 0)
        #expect(lines.all.contains { $0.contains("export partially rejected") && $0.contains("message=one point had a NaN") }, "\(lines.all)")
    }

    @Test func aTimeoutIsRetriedAndCountedAsOne() async throws {
        let receiver = try OTLPHTTPReceiver(script: [["sleep": 3.0]])
        let (exporter, task) = try makeExporter(port: receiver.port, timeout: .seconds(1))
        defer { task.cancel() }  // a failed expectation must not leave the sender running
        await exporter.enqueue(grpcTests.markedBatch(4))
        await grpcTests.waitUntil { exporter.statistics[.metrics].sentItems == 1 }
        await stop(exporter, task)
        let statistics = exporter.statistics[.metrics]
        #expect(statistics.requests == ["timeout": 1, "200": 1], "\(statistics.requests)")
        #expect(statistics.retries == 1 && statistics.failedItems == 0)
    }

    @Test func aRefusedConnectionIsRetriedUntilTheReceiverListens() async throws {
        let port = try LocalPort.free()
        let (exporter, task) = try makeExporter(port: port)
        defer { task.cancel() }  // a failed expectation must not leave the sender running
        await exporter.enqueue(grpcTests.markedBatch(9))
        await grpcTests.waitUntil { exporter.statistics[.metrics].retries >= 2 }
        let receiver = try OTLPHTTPReceiver(port: port)
        let records = try await receiver.waitForRequests(1)
        await grpcTests.waitUntil { exporter.statistics[.metrics].sentItems == 1 }
        await stop(exporter, task)
        #expect(markers(records) == [9])
        let statistics = exporter.statistics[.metrics]
        #expect(statistics.requests["connection_error"] ?? 0 >= 2, "\(statistics.requests)")
        #expect(statistics.requests["200"] == 1 && statistics.failedItems == 0)
    }

    // MARK: TLS

    @Test func tlsMutualTLSAndAnUntrustedServer() async throws {
        let certificates = try TestCertificates()
        let receiver = try OTLPHTTPReceiver(tls: .init(certificate: certificates.serverCertificate, key: certificates.serverKey,
                                                       clientCA: certificates.caCertificate))
        let good = TLSConfiguration(certificateAuthority: .file(certificates.caCertificate), certificate: .file(certificates.clientCertificate),
                                    privateKey: .file(certificates.clientKey))
        let (exporter, task) = try makeExporter(port: receiver.port, scheme: "https", host: "localhost", tls: good)
        defer { task.cancel() }  // a failed expectation must not leave the sender running
        await exporter.enqueue(grpcTests.markedBatch(1))
        await grpcTests.waitUntil { exporter.statistics[.metrics].sentItems == 1 }
        await stop(exporter, task)
        let first = try #require(try receiver.received().first)
        #expect(markers([first]) == [1])
        #expect(first["tls_client"] as? String == "client")
        #expect(exporter.statistics[.metrics].requests == ["200": 1])

        // insecure_skip_verify accepts the server whatever its CA.
        var skipping = good
        skipping.certificateAuthority = .file(certificates.otherCACertificate)
        skipping.insecureSkipVerify = true
        let (skipper, skipperTask) = try makeExporter(port: receiver.port, scheme: "https", host: "127.0.0.1", tls: skipping)
        defer { skipperTask.cancel() }  // a failed expectation must not leave the sender running
        await skipper.enqueue(grpcTests.markedBatch(2))
        await grpcTests.waitUntil { skipper.statistics[.metrics].sentItems == 1 }
        await stop(skipper, skipperTask)

        // A server the configured CA did not sign.
        var untrusted = good
        untrusted.certificateAuthority = .file(certificates.otherCACertificate)
        let refused = try await undelivered(port: receiver.port, host: "localhost", tls: untrusted)
        #expect(refused.failedItems == 1 && refused.requests["connection_error"] ?? 0 >= 1, "\(refused)")
        #expect(markers(try receiver.received()) == [1, 2])
    }

    /// `server_name` is what the certificate is checked against (and the SNI), while the
    /// connection goes to the endpoint's host, which the request still names as its Host.
    @Test func serverNameReplacesTheHostInTheCertificateCheck() async throws {
        let certificates = try TestCertificates()
        // Named otlp.telegen.test only: an IP address entry would match 127.0.0.1 by itself.
        let receiver = try OTLPHTTPReceiver(tls: .init(certificate: certificates.namedServerCertificate, key: certificates.namedServerKey))
        var named = TLSConfiguration(certificateAuthority: .file(certificates.caCertificate))
        named.serverName = "otlp.telegen.test"
        let (exporter, task) = try makeExporter(port: receiver.port, scheme: "https", host: "127.0.0.1", tls: named)
        defer { task.cancel() }  // a failed expectation must not leave the sender running
        await exporter.enqueue(grpcTests.markedBatch(1))
        await grpcTests.waitUntil { exporter.statistics[.metrics].sentItems == 1 }
        await stop(exporter, task)
        let record = try #require(try receiver.received().first)
        #expect(markers([record]) == [1])
        #expect((record["headers"] as? [String: String])?["host"] == "127.0.0.1:\(receiver.port)")

        var misnamed = named
        misnamed.serverName = "wrong.example"
        let wrongName = try await undelivered(port: receiver.port, host: "127.0.0.1", tls: misnamed)
        #expect(wrongName.failedItems == 1 && wrongName.requests["connection_error"] ?? 0 >= 1, "\(wrongName)")
        misnamed.serverName = nil
        let noName = try await undelivered(port: receiver.port, host: "127.0.0.1", tls: misnamed)
        #expect(noName.failedItems == 1, "\(noName)")
        #expect(try receiver.received().count == 1)
    }

    /// Sends one batch that TLS must refuse; the statistics once it is given up.
    private func undelivered(port: Int, host: String, tls: TLSConfiguration) async throws -> ExporterStatistics.Signal {
        let noRetry = RetryPolicy(initialInterval: .milliseconds(50), maximumElapsedTime: .milliseconds(300))
        let (exporter, task) = try makeExporter(port: port, scheme: "https", host: host, retry: noRetry, tls: tls)
        defer { task.cancel() }  // a failed expectation must not leave the sender running
        await exporter.enqueue(grpcTests.markedBatch(99))
        await grpcTests.waitUntil { exporter.statistics[.metrics].failedItems == 1 }
        await stop(exporter, task)
        return exporter.statistics[.metrics]
    }

    @Test func mutualTLSWithoutAClientCertificateIsRefused() async throws {
        let certificates = try TestCertificates()
        let receiver = try OTLPHTTPReceiver(tls: .init(certificate: certificates.serverCertificate, key: certificates.serverKey,
                                                       clientCA: certificates.caCertificate))
        let noRetry = RetryPolicy(initialInterval: .milliseconds(50), maximumElapsedTime: .milliseconds(300))
        let (exporter, task) = try makeExporter(port: receiver.port, scheme: "https", host: "localhost", retry: noRetry,
                                                tls: TLSConfiguration(certificateAuthority: .file(certificates.caCertificate)))
        defer { task.cancel() }  // a failed expectation must not leave the sender running
        await exporter.enqueue(grpcTests.markedBatch(1))
        await grpcTests.waitUntil { exporter.statistics[.metrics].failedItems == 1 }
        await stop(exporter, task)
        #expect(exporter.statistics[.metrics].failedItems == 1)
        #expect(try receiver.received().isEmpty)
    }

    @Test func unreadableTLSFilesStopTheTransportFromStarting() throws {
        let missing = TLSConfiguration(certificateAuthority: .file("/nonexistent/ca.pem"))
        #expect(throws: (any Error).self) {
            _ = try OTLPHTTPTransport(urls: Self.urls(port: 1, scheme: "https"), settings: TransportSettings(tls: missing, userAgent: "t"))
        }
        #expect(throws: OTLPHTTPTransport.InvalidURL.self) {
            _ = try OTLPHTTPTransport(urls: [.metrics: "collector:4318/v1/metrics"], settings: TransportSettings(userAgent: "t"))
        }
    }

    @Test func aSignalWithoutAURLIsGivenUpAtOnce() async throws {
        let transport = try OTLPHTTPTransport(urls: [.metrics: "http://127.0.0.1:1/v1/metrics"], settings: TransportSettings(userAgent: "t"))
        let attempt = await transport.send(ExportBatch(signal: .logs, message: [], items: 1))
        await transport.shutdown()
        #expect(attempt.outcome == .permanent && attempt.status == "no_url")
        // After shutdown a send fails at once rather than hanging.
        let late = await transport.send(grpcTests.markedBatch(1))
        #expect(late.outcome == .retryable(delay: nil) && late.status == "connection_error", "\(late)")
    }
}
