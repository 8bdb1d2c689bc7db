import TelemetryModel
import Synchronization

/// Telegen's own counters and gauges (`telegen_*`), kept in memory and rendered
/// on demand for `/metrics/self` and the OTLP push.
final class SelfMetrics: Sendable {
    /// Which parts of a collector started or stopped failing in the last cycle.
    struct FailureChange: Sendable {
        var newlyFailing: Set<String> = []
        var recovered: Set<String> = []
    }

    private struct CollectorState {
        var lastDurationSeconds = 0.0
        var series = 0
        var runs: UInt64 = 0
        var failures: [String: UInt64] = [:]
        var failing: Set<String> = []
        var lastSuccessUnixNano: UInt64?
    }

    private struct HTTPKey: Hashable {
        var handler: String
        var code: Int
    }

    private struct State {
        var collectors: [String: CollectorState] = [:]
        var httpRequests: [HTTPKey: UInt64] = [:]
    }

    private let state = Mutex(State())
    private let startUnixNano: UInt64
    private let version: String

    init(version: String, startUnixNano: UInt64) {
        self.version = version
        self.startUnixNano = startUnixNano
    }

    @discardableResult
    func recordCollection(collector: String, duration: Duration, result: CollectionResult) -> FailureChange {
        let failedNow = Set(result.failures.map(\.subsystem))
        let now = WallClock.nowUnixNano()
        return state.withLock { state in
            var entry = state.collectors[collector] ?? CollectorState()
            let components = duration.components
            entry.lastDurationSeconds = Double(components.seconds) + Double(components.attoseconds) * 1e-18
            entry.series = result.seriesCount
            entry.runs += 1
            for failure in result.failures {
                entry.failures[failure.subsystem, default: 0] += 1
            }
            if failedNow.isEmpty { entry.lastSuccessUnixNano = now }
            let change = FailureChange(
                newlyFailing: failedNow.subtracting(entry.failing),
                recovered: entry.failing.subtracting(failedNow))
            entry.failing = failedNow
            state.collectors[collector] = entry
            return change
        }
    }

    func recordHTTPRequest(handler: String, code: Int) {
        state.withLock { $0.httpRequests[HTTPKey(handler: handler, code: code), default: 0] += 1 }
    }

    func families() -> [MetricFamily] {
        let snapshot = state.withLock { $0 }
        let start = startUnixNano
        let collectorNames = snapshot.collectors.keys.sorted()
        let collectorLabel = ["collector"]

        var families: [MetricFamily] = []
        families.append(MetricFamily(
            name: "telegen_build_info",
            help: "A metric with a constant '1' value labeled by the version of Telegen and the Swift compiler that built it.",
            type: .gauge,
            series: [Series(labels: LabelSet(names: ["version", "swift_version"], values: [version, BuildInfo.swiftVersion]), value: 1)]))
        families.append(MetricFamily(
            name: "telegen_collector_last_duration_seconds",
            help: "Wall time of the collector's last collection cycle.",
            type: .gauge, unit: "s",
            series: collectorNames.map { Series(labels: LabelSet(names: collectorLabel, values: [$0]), value: snapshot.collectors[$0]!.lastDurationSeconds) }))
        families.append(MetricFamily(
            name: "telegen_collector_series",
            help: "Series the collector produced in its last cycle.",
            type: .gauge, unit: "{series}",
            series: collectorNames.map { Series(labels: LabelSet(names: collectorLabel, values: [$0]), value: Double(snapshot.collectors[$0]!.series)) }))
        families.append(MetricFamily(
            name: "telegen_collector_runs_total",
            help: "Collection cycles the collector has completed.",
            type: .counter, unit: "{run}",
            series: collectorNames.map { Series(labels: LabelSet(names: collectorLabel, values: [$0]), value: Double(snapshot.collectors[$0]!.runs), startTimeUnixNano: start) }))
        let errorLabels = ["collector", "subsystem"]
        families.append(MetricFamily(
            name: "telegen_collector_errors_total",
            help: "Collection failures by collector and the part that failed; each failure costs that part's series for one cycle.",
            type: .counter, unit: "{error}",
            series: collectorNames.flatMap { name in
                snapshot.collectors[name]!.failures.keys.sorted().map { subsystem in
                    Series(labels: LabelSet(names: errorLabels, values: [name, subsystem]),
                           value: Double(snapshot.collectors[name]!.failures[subsystem]!), startTimeUnixNano: start)
                }
            }))
        families.append(MetricFamily(
            name: "telegen_collector_last_success_timestamp_seconds",
            help: "When the collector last completed a cycle without any failure.",
            type: .gauge, unit: "s",
            series: collectorNames.compactMap { name in
                snapshot.collectors[name]!.lastSuccessUnixNano.map {
                    Series(labels: LabelSet(names: collectorLabel, values: [name]), value: Double($0) / 1e9)
                }
            }))
        let httpLabels = ["handler", "code"]
        families.append(MetricFamily(
            name: "telegen_http_requests_total",
            help: "HTTP requests served, by handler and status code.",
            type: .counter, unit: "{request}",
            series: snapshot.httpRequests.keys.sorted { ($0.handler, $0.code) < ($1.handler, $1.code) }.map { key in
                Series(labels: LabelSet(names: httpLabels, values: [key.handler, String(key.code)]),
                       value: Double(snapshot.httpRequests[key]!), startTimeUnixNano: start)
            }))
        return families
    }
}
