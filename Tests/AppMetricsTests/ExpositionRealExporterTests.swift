@testable import AppMetrics
import Testing
import TestSupport

/// Real exporters' output: Debian's node_exporter (client_golang underneath), checked
/// against the independent line reader in TestSupport, and client_python in both formats.
struct ExpositionRealExporterTests {
    @Test func nodeExporterTextAndOpenMetricsAgree() throws {
        let exporter = try NodeExporter()
        defer { exporter.stop() }

        let text = try HTTP.get(exporter.url)
        #expect(ScrapeFormat(contentType: text.headers["content-type"] ?? "") == .prometheusText)
        let parsedText = try ExpositionParser(format: .prometheusText, sampleLimit: 0).parse(Array(text.body.utf8))
        let oracle = ParsedExposition(text.body)
        #expect(parsedText.sampleCount == oracle.samples.count)
        #expect(parsedText.sampleCount > 100)

        // Every gauge/counter/untyped sample has a point with its labels and value.
        var numbers: [String: [[String: String]: Double]] = [:]
        var types: [String: ScrapedMetricType] = [:]
        for family in parsedText.families {
            types[family.name] = family.type
            for point in family.points {
                guard case .number(let v) = point.value else { continue }
                var labels: [String: String] = [:]
                for l in point.labels where !l.value.isEmpty { labels[l.name] = l.value }
                numbers[family.name, default: [:]][labels] = v
            }
        }
        var checked = 0
        for sample in oracle.samples where numbers[sample.name] != nil {
            let want = Double(sample.value)
            let got = numbers[sample.name]?[sample.labels]
            #expect(got == want || (got?.isNaN == true && want?.isNaN == true), "\(sample.name) \(sample.labels)")
            checked += 1
        }
        #expect(checked > 50)
        #expect(types["go_gc_duration_seconds"] == .summary)

        // Debian's node_exporter answers text even when OpenMetrics is asked for; the
        // client_python test below covers OpenMetrics from a real client library.
        let om = try HTTP.get(exporter.url, headers: ["Accept": "application/openmetrics-text;version=1.0.0"])
        let format = ScrapeFormat(contentType: om.headers["content-type"] ?? "") ?? .prometheusText
        let again = try ExpositionParser(format: format, sampleLimit: 0).parse(Array(om.body.utf8))
        #expect(Set(again.families.map(\.name)) == Set(parsedText.families.map(\.name)))
    }

    @Test func clientPythonBothFormats() throws {
        let script = """
            import sys
            from prometheus_client import CollectorRegistry, Counter, Histogram, Summary, Info, Enum, Gauge
            from prometheus_client.exposition import generate_latest
            from prometheus_client.openmetrics.exposition import generate_latest as openmetrics
            r = CollectorRegistry()
            Counter('jobs', 'Jobs done.', ['kind'], registry=r).labels('a"\\\\b').inc(3)
            h = Histogram('req_seconds', 'Latency.', ['path'], registry=r, buckets=(0.1, 1))
            h.labels('/').observe(0.5)
            h.labels('/x').observe(7)
            Summary('sz', 'Size.', registry=r).observe(4)
            Info('build', 'Build.', registry=r).info({'version': '1'})
            Enum('state', 'State.', states=['a', 'b'], registry=r)
            Gauge('temp', 'Line one\\nline two.', registry=r).set(float('nan'))
            sys.stdout.write((openmetrics(r) if sys.argv[1] == 'om' else generate_latest(r)).decode())
            """
        func body(_ kind: String) throws -> [UInt8] {
            let result = try Command.run(try Repository.python(), ["-c", script, kind])
            #expect(result.status == 0, "\(result.stderr)")
            return Array(result.stdout.utf8)
        }
        let text = try ExpositionParser(format: .prometheusText, sampleLimit: 0).parse(body("text"))
        let om = try ExpositionParser(format: .openMetrics, sampleLimit: 0).parse(body("om"))

        func family(_ e: ScrapedExposition, _ name: String) -> ScrapedFamily? { e.families.first { $0.name == name } }
        // Text: client_python's separate `_created` gauges are folded into their families.
        #expect(text.families.map(\.name) == ["jobs_total", "req_seconds", "sz", "build_info", "state", "temp"])
        #expect(om.families.map(\.name) == ["jobs", "req_seconds", "sz", "build", "state", "temp"])
        #expect(text.sampleCount == om.sampleCount)
        for (t, o) in [("jobs_total", "jobs"), ("req_seconds", "req_seconds"), ("sz", "sz")] {
            let tp = family(text, t)?.points ?? [], op = family(om, o)?.points ?? []
            #expect(!tp.isEmpty && tp.count == op.count, "\(t)")
            for (a, b) in zip(tp, op) {
                #expect(a.value == b.value && a.labels == b.labels, "\(t)")
                // Two processes, so two creation times; both must be there.
                #expect(a.createdSeconds != nil && b.createdSeconds != nil, "\(t)")
            }
        }
        #expect(family(text, "jobs_total")?.points.first?.labels == [ScrapedLabel(name: "kind", value: "a\"\\b")])
        #expect(family(om, "jobs")?.points.first?.value == .number(3))
        #expect(family(om, "req_seconds")?.points.first?.value == .histogram(buckets: [
            HistogramBucket(upperBound: 0.1, cumulativeCount: 0), HistogramBucket(upperBound: 1, cumulativeCount: 1),
            HistogramBucket(upperBound: .infinity, cumulativeCount: 1)], count: 1, sum: 0.5))
        #expect(family(om, "sz")?.points.first?.value == .summary(quantiles: [], count: 1, sum: 4))
        #expect(family(om, "build")?.type == .info)
        #expect(family(om, "state")?.type == .stateSet)
        #expect(family(om, "temp")?.help == "Line one\nline two.")
        #expect(family(text, "temp")?.help == "Line one\nline two.")
        if case .number(let v) = family(om, "temp")?.points.first?.value { #expect(v.isNaN) } else { Issue.record("temp") }
    }
}
