@testable import TelemetryModel
import Testing

struct ExpositionEncoderTests {
    private func text(_ families: [MetricFamily], _ format: ExpositionFormat = .prometheusText) -> String {
        String(decoding: ExpositionEncoder(format: format).encode(families), as: UTF8.self)
    }

    @Test func writesHelpTypeAndSamples() {
        let family = MetricFamily(
            name: "kube_pod_info", help: "Information about pod.", type: .gauge, stability: .stable,
            series: [
                Series(labels: LabelSet(names: ["namespace", "pod"], values: ["default", "web-0"]), value: 1),
                Series(labels: LabelSet(names: ["namespace", "pod"], values: ["kube-system", "dns"]), value: 1),
            ])
        #expect(text([family]) == """
            # HELP kube_pod_info [STABLE] Information about pod.
            # TYPE kube_pod_info gauge
            kube_pod_info{namespace="default",pod="web-0"} 1
            kube_pod_info{namespace="kube-system",pod="dns"} 1

            """)
    }

    @Test func openMetricsCounterSamplesEndInTotal() {
        let failcnt = MetricFamily(name: "container_memory_failcnt", help: "Number of memory usage hits limits", type: .counter,
                                   series: [Series(value: 3)])
        let restarts = MetricFamily(name: "kube_pod_container_status_restarts_total", help: "Restarts.", type: .counter,
                                    series: [Series(value: 1)])
        #expect(text([failcnt, restarts], .openMetrics) == """
            # HELP container_memory_failcnt Number of memory usage hits limits
            # TYPE container_memory_failcnt counter
            container_memory_failcnt_total 3
            # HELP kube_pod_container_status_restarts_total Restarts.
            # TYPE kube_pod_container_status_restarts_total counter
            kube_pod_container_status_restarts_total 1
            # EOF

            """)
        // The text format keeps the family's own name.
        #expect(text([failcnt]).contains("\ncontainer_memory_failcnt 3\n"))
    }

    @Test func escapesLabelValuesAndHelp() {
        let family = MetricFamily(
            name: "x", help: "back\\slash \"quoted\"\nnext", type: .counter,
            series: [Series(labels: LabelSet(names: ["path"], values: ["C:\\dir \"a\"\nb"]), value: 2.5)])
        #expect(text([family]) == """
            # HELP x back\\\\slash "quoted"\\nnext
            # TYPE x counter
            x{path="C:\\\\dir \\"a\\"\\nb"} 2.5

            """)
        // OpenMetrics also escapes double quotes in HELP.
        #expect(text([family], .openMetrics) == """
            # HELP x back\\\\slash \\"quoted\\"\\nnext
            # TYPE x counter
            x_total{path="C:\\\\dir \\"a\\"\\nb"} 2.5
            # EOF

            """)
    }

    @Test func familiesWithoutLabelsHaveNoBraces() {
        let family = MetricFamily(name: "node_load1", help: "1m load average.", type: .gauge, series: [Series(value: 0.25)])
        #expect(text([family]) == "# HELP node_load1 1m load average.\n# TYPE node_load1 gauge\nnode_load1 0.25\n")
    }

    @Test func familiesWithoutSeriesKeepTheirHeaders() {
        let family = MetricFamily(name: "kube_pod_labels", help: "Kubernetes labels converted to Prometheus labels.", type: .gauge)
        #expect(text([family]) == "# HELP kube_pod_labels Kubernetes labels converted to Prometheus labels.\n# TYPE kube_pod_labels gauge\n")
    }

    @Test func infoAndStatesetAreGaugesInTextOnly() {
        let info = MetricFamily(name: "a_info", help: "h", type: .info, series: [Series(value: 1)])
        let stateset = MetricFamily(name: "b", help: "h", type: .stateset, series: [Series(value: 0)])
        #expect(text([info, stateset]).contains("# TYPE a_info gauge\n"))
        #expect(text([info, stateset]).contains("# TYPE b gauge\n"))
        #expect(text([info, stateset], .openMetrics).contains("# TYPE a_info info\n"))
        #expect(text([info, stateset], .openMetrics).contains("# TYPE b stateset\n"))
    }

    @Test func deprecatedFamiliesSayWhen() {
        let family = MetricFamily(name: "kube_endpoint_ports", help: "Information about the Endpoint ports.", type: .gauge,
                                  stability: .deprecated(since: "v2.14.0"))
        #expect(text([family]).hasPrefix("# HELP kube_endpoint_ports [STABLE] (Deprecated since v2.14.0) Information about the Endpoint ports.\n"))
    }

    @Test func openMetricsEndsWithEOFAndKeepsCounterNames() {
        let family = MetricFamily(name: "kube_pod_container_status_restarts_total", help: "h", type: .counter,
                                  series: [Series(value: 3)])
        #expect(text([family], .openMetrics) == """
            # HELP kube_pod_container_status_restarts_total h
            # TYPE kube_pod_container_status_restarts_total counter
            kube_pod_container_status_restarts_total 3
            # EOF

            """)
        #expect(text([], .openMetrics) == "# EOF\n")
        #expect(text([]) == "")
    }

    @Test func invalidUTF8IsRepairedBeforeItReachesTheOutput() {
        let raw: [UInt8] = [0x2F, 0x6D, 0x6E, 0x74, 0x2F, 0xFF, 0xC3, 0x28]  // "/mnt/" + invalid bytes
        let value = String(repairingUTF8: raw)
        let family = MetricFamily(name: "m", help: "h", type: .gauge,
                                  series: [Series(labels: LabelSet(names: ["mountpoint"], values: [value]), value: 1)])
        let bytes = ExpositionEncoder(format: .prometheusText).encode([family])
        #expect(String(validating: bytes, as: UTF8.self) != nil)
        #expect(text([family]).contains("m{mountpoint=\"/mnt/\u{FFFD}\u{FFFD}(\"} 1"))
    }
}

/// The writer's eight-bytes-at-a-time scan for bytes to escape, against a byte loop,
/// for every position and length around a word.
struct EscapeScanTests {
    @Test func findsEveryByteToEscapeWhereverItIs() {
        for length in 0..<20 {
            for position in -1..<length {
                for special in [UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "\n"), 0x5B, 0x21, 0x0B, 0xDC, 0xA2] {
                    var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    if position >= 0 { bytes[position] = special }
                    let expected = bytes.contains { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") }
                    #expect(bytes.withUnsafeBufferPointer { ExpositionWriter.needsEscaping($0) } == expected, "\(bytes)")
                }
            }
        }
    }

    @Test func escapedValuesComeOutEscaped() {
        let family = MetricFamily(name: "m", help: "h", type: .gauge, series: [
            Series(labels: LabelSet(names: ["a", "b"], values: ["x\"y\\z\nw-0123456789abcdef", "plain value without escapes"]), value: 1),
        ])
        let text = String(decoding: ExpositionEncoder(format: .prometheusText).encode([family]), as: UTF8.self)
        #expect(text.hasSuffix(#"m{a="x\"y\\z\nw-0123456789abcdef",b="plain value without escapes"} 1"# + "\n"))
    }
}
