@testable import OTLPWire
import TelemetryModel
import Testing

/// The hand-written encoders against protobuf-c, byte for byte, on varied input.
struct OTLPEncoderTests {
    static let resource = OTLPResource(attributes: [
        .init("service.name", .string("telegen")), .init("service.version", .string("0.1.0")),
        .init("k8s.node.name", .string("node-1")), .init("pid", .int(4242)),
    ])

    /// Random families: every type, empty and unicode label values, long strings,
    /// counters with and without start times, extreme values.
    static func randomScopes(seed: UInt64, families: Int, maxSeries: Int) -> [OTLPMetricsEncoder.ScopeFamilies] {
        var random = SplitMix(seed: seed)
        let names = ["node_cpu_seconds_total", "kube_pod_info", "container_memory_working_set_bytes", "telegen_build_info",
                     "unmapped_family", "kube_poddisruptionbudget_status_current_healthy", "machine_cpu_cores"]
        let values: [Double] = [0, 1, -1, 0.5, 1.5e9, -0.0, .greatestFiniteMagnitude, .leastNonzeroMagnitude, .nan, .infinity, 123456789.125]
        let labelValues = ["", "a", "ünïcode ✓", String(repeating: "x", count: 300), "with \"quotes\"\nand newline", "0"]
        return (0..<3).map { scopeIndex in
            let familyList = (0..<families).map { index -> MetricFamily in
                let type = MetricType.allCases[Int(random.next() % 4)]
                let labelNames = (0..<Int(random.next() % 4)).map { "label_\($0)" }
                let series = (0..<Int(random.next() % UInt64(maxSeries + 1))).map { _ in
                    Series(labels: LabelSet(names: labelNames, values: labelNames.map { _ in labelValues[Int(random.next() % UInt64(labelValues.count))] }),
                           value: values[Int(random.next() % UInt64(values.count))],
                           startTimeUnixNano: random.next() % 3 == 0 ? nil : 1_700_000_000_000_000_000 + random.next() % 1_000_000)
                }
                return MetricFamily(name: names[index % names.count] + "_\(index)", help: index % 5 == 0 ? "" : "Help text \(index) ✓",
                                    type: type, stability: index % 3 == 0 ? .stable : .alpha, unit: index % 2 == 0 ? "s" : "", series: series)
            }
            return OTLPMetricsEncoder.ScopeFamilies(scope: OTLPScope(name: "telegen.scope\(scopeIndex)", version: scopeIndex == 1 ? "" : "0.1.0"),
                                                    families: familyList, timeUnixNano: scopeIndex == 2 ? 0 : 1_795_000_000_123_456_789)
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func metricsAreByteIdenticalToProtobufC(seed: UInt64) {
        let scopes = Self.randomScopes(seed: seed, families: 12, maxSeries: 6)
        for delta in [false, true] {
            for withMetadata in [false, true] {
                var fields = SignalMetadataFields()
                fields.description = seed % 2 == 0
                let encoder = OTLPMetricsEncoder(resource: Self.resource, temporality: delta ? .delta : .cumulative,
                                                 signalMetadata: withMetadata ? (.telegen, fields) : nil,
                                                 defaultStartTimeUnixNano: 1_690_000_000_000_000_000)
                let output = encoder.encode(scopes)
                let expected = ProtobufCReference().metricsRequest(scopes, resource: Self.resource, metadata: withMetadata ? .telegen : nil,
                                                                   fields: fields, delta: delta, defaultStart: 1_690_000_000_000_000_000)
                #expect(output.requests.count == 1)
                #expect(output.requests.first?.bytes == expected, "seed \(seed) delta \(delta) metadata \(withMetadata)")
                #expect(output.requests.first?.points == scopes.flatMap(\.families).reduce(0) { $0 + $1.series.count })
            }
        }
    }

    @Test func logsAreByteIdenticalToProtobufC() {
        var records: [LogRecord] = []
        for index in 0..<50 {
            let time: UInt64 = index % 7 == 0 ? 0 : 1_795_000_000_000_000_000 + UInt64(index)
            let warning = index % 2 == 1
            let attributes: [LogRecord.Attribute] = [
                .init("k8s.event.reason", .string("Pulling")), .init("k8s.event.count", .int(Int64(index) - 3)),
                .init("ratio", .double(0.25)), .init("flag", .bool(index % 3 == 0)),
            ]
            records.append(LogRecord(timeUnixNano: time, observedTimeUnixNano: 1_795_000_001_000_000_000,
                                     severityNumber: warning ? 13 : 9, severityText: warning ? "Warning" : "Normal",
                                     body: index % 9 == 0 ? "" : "Pulling image \"nginx:\(index)\" ✓",
                                     attributes: attributes, eventName: index % 4 == 0 ? "" : "k8s.event"))
        }
        let scope = OTLPScope(name: "telegen.events", version: "0.1.0")
        let output = OTLPLogsEncoder(resource: Self.resource, scope: scope).encode(records)
        #expect(output.requests.count == 1)
        #expect(output.requests[0].bytes == ProtobufCReference().logsRequest(records, resource: Self.resource, scope: scope))
    }

    @Test func largeBatchesAreSplitUnderTheLimitWithEveryPointOnce() {
        let family = MetricFamily(name: "container_cpu_usage_seconds_total", help: "Cumulative cpu time consumed", type: .counter, unit: "s",
                                  series: (0..<100_000).map { index in
                                      Series(labels: LabelSet(names: ["container", "pod", "namespace", "cpu"],
                                                              values: ["app-\(index % 7)", "pod-\(index)", "namespace-\(index % 13)", "total"]),
                                             value: Double(index), startTimeUnixNano: 1)
                                  })
        let encoder = OTLPMetricsEncoder(resource: Self.resource)
        let output = encoder.encode([.init(scope: OTLPScope(name: "telegen.cadvisor", version: "1"), families: [family, family], timeUnixNano: 5)])
        #expect(output.requests.count > 2)
        #expect(output.requests.allSatisfy { $0.bytes.count <= 4 * 1024 * 1024 })
        #expect(output.requests.reduce(0) { $0 + $1.points } == 200_000)
        #expect(output.oversizedPoints == 0)

        let small = OTLPMetricsEncoder(resource: Self.resource, maximumRequestBytes: 4096)
            .encode([.init(scope: OTLPScope(name: "s", version: "1"), families: [family], timeUnixNano: 5)])
        #expect(small.requests.allSatisfy { $0.bytes.count <= 4096 })
        #expect(small.requests.reduce(0) { $0 + $1.points } == 100_000)
    }

    @Test func aPointLargerThanAnyRequestIsCountedNotSent() {
        let huge = MetricFamily(name: "kube_pod_annotations", help: "h", type: .gauge, series: [
            Series(labels: LabelSet(names: ["annotation_x"], values: [String(repeating: "y", count: 10_000)]), value: 1),
            Series(labels: LabelSet(names: ["annotation_x"], values: ["small"]), value: 1),
        ])
        let output = OTLPMetricsEncoder(resource: Self.resource, maximumRequestBytes: 2048)
            .encode([.init(scope: OTLPScope(name: "s", version: ""), families: [huge], timeUnixNano: 1)])
        #expect(output.oversizedPoints == 1)
        #expect(output.requests.map(\.points) == [1])
    }

    @Test func emptyInputEncodesNothing() {
        let empty = MetricFamily(name: "kube_pod_labels", help: "h", type: .gauge)
        #expect(OTLPMetricsEncoder(resource: Self.resource).encode([.init(scope: OTLPScope(name: "s", version: ""), families: [empty], timeUnixNano: 1)])
            .requests.isEmpty)
        #expect(OTLPLogsEncoder(resource: Self.resource, scope: OTLPScope(name: "s", version: "")).encode([]).requests.isEmpty)
    }
}

/// A small deterministic generator, so failures reproduce.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
