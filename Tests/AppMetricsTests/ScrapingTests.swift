@testable import AppMetrics
import Foundation
import Logging
import Synchronization
import Testing
import TestSupport

/// Scrapes against real HTTP peers: misbehaving endpoints (Tests/Python/bad_exporter.py)
/// and an app on the official Python client (Tests/Python/prometheus_app.py).
@Suite(.serialized)
struct ScrapingTests {
    static func target(port: Int, path: String = "/metrics", pod: String = "app") -> ScrapeTarget {
        ScrapeTarget(podName: pod, podUID: "uid-\(pod)", namespace: "test", nodeName: "node", serviceName: pod,
                     podIP: "127.0.0.1", port: port, path: path)
    }

    static func settings(timeout: Duration = .seconds(2), sampleLimit: Int = 20_000, bodySizeLimit: Int = 1 << 20) -> ScrapeSettings {
        var settings = ScrapeSettings()
        settings.interval = .seconds(30)
        settings.timeout = timeout
        settings.sampleLimit = sampleLimit
        settings.bodySizeLimit = bodySizeLimit
        settings.userAgent = "telegen/test"
        return settings
    }

    static func reason(_ outcome: ScrapeOutcome) -> String {
        switch outcome.result {
        case .success: "success"
        case .failure(let failure): failure.reason
        }
    }

    @Test func everyBadEndpointFailsWithItsOwnReason() async throws {
        let bad = try PythonServer(script: "bad_exporter.py", arguments: ["--slow", "6", "--samples", "30000"])
        defer { bad.stop() }
        let scraper = try HTTPScraper(settings: Self.settings(timeout: .seconds(2)))
        // Every endpoint but /slow gets a roomy timeout: under the whole suite's load the
        // Python exporter can take seconds to write 30 000 samples, which must fail on
        // the sample limit, not on time.
        let roomy = try HTTPScraper(settings: Self.settings(timeout: .seconds(60)))
        let refused = try RefusedPort()
        let refusedPort = refused.port
        defer { withExtendedLifetime(refused) {} }  // refusing until the test ends
        let cases: [(ScrapeTarget, String)] = [
            (Self.target(port: bad.port, path: "/ok"), "success"),
            (Self.target(port: bad.port, path: "/status-500"), "http_status"),
            (Self.target(port: bad.port, path: "/slow"), "timeout"),
            (Self.target(port: bad.port, path: "/huge"), "body_too_large"),
            (Self.target(port: bad.port, path: "/gzip-bomb"), "body_too_large"),
            (Self.target(port: bad.port, path: "/many-samples"), "sample_limit"),
            (Self.target(port: bad.port, path: "/invalid-utf8"), "parse:invalid_utf8"),
            (Self.target(port: bad.port, path: "/duplicate"), "parse:duplicate_series"),
            (Self.target(port: refusedPort), "refused"),
        ]
        for (target, expected) in cases {
            let outcome = await (target.path == "/slow" ? scraper : roomy).scrape(target)
            // The slow endpoint answers after 6 s, so only an enforced 2 s timeout gives
            // "timeout"; durations are not compared, as this process's pool can be starved
            // for seconds when the whole suite runs.
            #expect(Self.reason(outcome) == expected, "\(target.path): \(outcome.result)")
        }
        let garbage = await roomy.scrape(Self.target(port: bad.port, path: "/garbage"))
        #expect(Self.reason(garbage).hasPrefix("parse:"), "\(garbage.result)")
        await scraper.shutdown()
        await roomy.shutdown()
    }

    @Test func httpsTargetsAreVerifiedUnlessTheOptOutIsSet() async throws {
        let certificates = try TestCertificates()
        let withIP = try PythonServer(script: "bad_exporter.py", arguments: ["--tls-cert", certificates.serverCertificate,
                                                                             "--tls-key", certificates.serverKey])
        defer { withIP.stop() }
        // Valid for otlp.telegen.test only: not for the pod IP scraped.
        let withoutIP = try PythonServer(script: "bad_exporter.py", arguments: ["--tls-cert", certificates.namedServerCertificate,
                                                                                "--tls-key", certificates.namedServerKey])
        defer { withoutIP.stop() }
        func scrape(_ server: PythonServer, _ tls: ScrapeSettings.TLSVerification) async throws -> String {
            var settings = Self.settings()
            settings.tls = tls
            let scraper = try HTTPScraper(settings: settings)
            var target = Self.target(port: server.port, path: "/ok")
            target.scheme = "https"
            let outcome = await scraper.scrape(target)
            await scraper.shutdown()
            return Self.reason(outcome)
        }
        #expect(try await scrape(withIP, .verify(caFile: certificates.caCertificate)) == "success")
        #expect(try await scrape(withIP, .verify(caFile: certificates.otherCACertificate)) == "tls")
        #expect(try await scrape(withIP, .verify(caFile: nil)) == "tls", "the system's roots do not know the test CA")
        #expect(try await scrape(withoutIP, .verify(caFile: certificates.caCertificate)) == "tls")
        #expect(try await scrape(withoutIP, .insecureSkipVerify) == "success")
    }

    @Test func theRequestIsTheOnePrometheusSends() async throws {
        let bad = try PythonServer(script: "bad_exporter.py", arguments: [])
        defer { bad.stop() }
        let scraper = try HTTPScraper(settings: Self.settings(timeout: .milliseconds(1500)))
        _ = await scraper.scrape(Self.target(port: bad.port, path: "/echo-headers"))
        await scraper.shutdown()
        let headers = try #require(try bad.received().last?["headers"] as? [String: String])
        #expect(headers["Accept"] == "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.3")
        #expect(headers["Accept-Encoding"] == "gzip")
        #expect(headers["X-Prometheus-Scrape-Timeout-Seconds"] == "1.5")
        #expect(headers["User-Agent"] == "telegen/test")
        #expect(ScrapeRequest.timeoutHeader(.seconds(10)) == "10")
        #expect(ScrapeRequest.timeoutHeader(.milliseconds(250)) == "0.25")
    }

    @Test func aPrometheusClientAppIsReadInEitherFormatGzippedOrNot() async throws {
        for format in ["negotiate", "text", "openmetrics"] {
            let app = try PythonServer(script: "prometheus_app.py", arguments: ["--format", format])
            defer { app.stop() }
            let scraper = try HTTPScraper(settings: Self.settings())
            let outcome = await scraper.scrape(Self.target(port: app.port))
            await scraper.shutdown()
            let exposition = try outcome.result.get()
            let served = try #require(try app.received().last)
            #expect((served["headers"] as? [String: String])?["Accept-Encoding"] == "gzip")
            let families = Dictionary(exposition.families.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            #expect(families["app_temperature_celsius"]?.points.first?.value == .number(-12.25), "\(format)")
            #expect(families["app_latency_seconds"]?.type == .histogram, "\(format)")
            #expect(families["app_rpc_duration_seconds"]?.type == .summary, "\(format)")
            let requests = families["app_requests"] ?? families["app_requests_total"]
            #expect(requests?.type == .counter, "\(format)")
            #expect(requests?.points.first?.createdSeconds != nil, "\(format): _created read as the start time")
        }
    }

    @Test func noMoreScrapesRunAtOnceThanTheCapAllows() async throws {
        let bad = try PythonServer(script: "bad_exporter.py", arguments: ["--slow", "0.6"])
        defer { bad.stop() }
        for cap in [1, 3] {
            var settings = Self.settings(timeout: .seconds(5))
            settings.maxConcurrentScrapes = cap
            let scraper = try HTTPScraper(settings: settings)
            let manager = ScrapeManager(targets: TargetSet(rules: DiscoveryRules()), scraper: scraper, logger: Logger(label: "test"))
            let before = try bad.received().count
            await withTaskGroup(of: Void.self) { group in
                for index in 0..<4 {
                    group.addTask { _ = await manager.scrapeOnce(Self.target(port: bad.port, path: "/slow", pod: "slow-\(index)")) }
                }
            }
            await scraper.shutdown()
            let inFlight = try bad.received().dropFirst(before).compactMap { $0["in_flight"] as? Int }
            #expect(inFlight.count == 4)
            if cap == 1 {
                #expect(inFlight.max() == 1, "\(inFlight)")
            } else {
                // The same scrapes overlap when the cap allows it (what makes the first check meaningful).
                #expect((inFlight.max() ?? 0) > 1, "\(inFlight)")
                #expect((inFlight.max() ?? 0) <= 3, "\(inFlight)")
            }
        }
    }

    @Test func aScrapeThatWouldPassTheSeriesCapIsDroppedAndCounted() async throws {
        let bad = try PythonServer(script: "bad_exporter.py", arguments: ["--samples", "1000"])
        defer { bad.stop() }
        var settings = Self.settings()
        settings.maxSeries = 1500
        let scraper = try HTTPScraper(settings: settings)
        let manager = ScrapeManager(targets: TargetSet(rules: DiscoveryRules()), scraper: scraper, logger: Logger(label: "test"))
        let first = try #require(await manager.scrapeOnce(Self.target(port: bad.port, path: "/many-samples", pod: "first")))
        let second = try #require(await manager.scrapeOnce(Self.target(port: bad.port, path: "/many-samples", pod: "second")))
        let small = try #require(await manager.scrapeOnce(Self.target(port: bad.port, path: "/ok", pod: "small")))
        // The first one again: it still holds its own series, so it stays within the cap.
        let again = try #require(await manager.scrapeOnce(Self.target(port: bad.port, path: "/many-samples", pod: "first")))
        await scraper.shutdown()
        #expect(Self.reason(first) == "success")
        #expect(Self.reason(second) == "series_limit")
        #expect(Self.reason(small) == "success")
        #expect(Self.reason(again) == "success")
        let statistics = manager.statistics.snapshot
        #expect(statistics.failureReasons == ["series_limit": 1])
        #expect(statistics.successes == 3)
        #expect(statistics.samples == 1001)
    }

    @Test func targetsAreScrapedFromWhenTheyAppearUntilTheyGo() async throws {
        let bad = try PythonServer(script: "bad_exporter.py", arguments: [])
        defer { bad.stop() }
        var settings = Self.settings(timeout: .milliseconds(500))
        settings.interval = .milliseconds(500)
        let scraper = try HTTPScraper(settings: settings)
        let targets = TargetSet(rules: DiscoveryRules())
        let manager = ScrapeManager(targets: targets, scraper: scraper, logger: Logger(label: "test"))
        let delivered = Mutex<[String]>([])
        let removed = Mutex<[String]>([])
        let running = Task {
            await manager.run(deliver: { outcome in delivered.withLock { $0.append(outcome.target.podName) } },
                              removed: { target in removed.withLock { $0.append(target.podName) } })
        }
        let pod = DiscoveredPod(name: "ok", namespace: "test", uid: "uid-ok", phase: "Running", podIP: "127.0.0.1",
                                annotations: ["prometheus.io/scrape": "true", "prometheus.io/port": String(bad.port), "prometheus.io/path": "/ok"])
        targets.upsert(pod)
        let deadline = ContinuousClock.now + .seconds(20)
        while delivered.withLock({ $0.count }) < 2 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(delivered.withLock { $0.count } >= 2, "scraped every interval")
        targets.remove(uid: "uid-ok")
        while removed.withLock({ $0.isEmpty }) && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(removed.withLock { $0 } == ["ok"])
        let afterRemoval = delivered.withLock { $0.count }
        try await Task.sleep(for: .seconds(1.5))
        #expect(delivered.withLock { $0.count } == afterRemoval, "nothing is delivered for a removed target")
        running.cancel()
        await running.value
        await scraper.shutdown()
    }

    @Test func targetsSpreadOverTheInterval() {
        let interval = Duration.seconds(30)
        let delays = (0..<200).map { index in
            ScrapeSchedule.initialDelay(for: Self.target(port: 8000 + index), interval: interval, nowUnixNano: 1_700_000_000_000_000_000)
        }
        #expect(delays.allSatisfy { $0 >= .zero && $0 < interval })
        // Spread: every tenth of the interval gets some of 200 targets.
        let slots = Set(delays.map { Int($0 / (interval / 10)) })
        #expect(slots.count == 10, "\(slots.sorted())")
        // A target keeps its phase against the wall clock.
        let target = Self.target(port: 9100)
        let now: UInt64 = 1_700_000_000_123_456_789
        let first = ScrapeSchedule.initialDelay(for: target, interval: interval, nowUnixNano: now)
        let later = ScrapeSchedule.initialDelay(for: target, interval: interval, nowUnixNano: now + 7_000_000_000)
        #expect(first - later == .seconds(7) || later - first == .seconds(23))
    }
}
