import TelemetryModel

/// The system clock: `node_time_seconds`, which dashboards use to spot clock skew.
struct TimeCollector: NodeSubsystem {
    let name = "time"

    func collect(into families: inout [MetricFamily]) throws {
        // node_exporter: float64(now.UnixNano()) / 1e9
        let seconds = Double(WallClock.nowUnixNano()) / 1e9
        families.append(MetricFamily(name: "node_time_seconds", help: "System time in seconds since epoch (1970).",
                                     type: .gauge, unit: "s", series: [Series(value: seconds)]))
    }
}
