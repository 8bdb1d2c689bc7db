import TelemetryModel

/// `/proc/loadavg`: node_load1, node_load5, node_load15.
final class LoadAverageCollector: NodeSubsystem {
    let name = "loadavg"
    private let source: KernelFileSource

    init(path: String) {
        source = KernelFileSource(path: path, initialCapacity: 128)
    }

    func collect(into families: inout [MetricFamily]) throws {
        let load = try source.read(LoadAverage.parse)
        families.append(MetricFamily(name: "node_load1", help: "1m load average.", type: .gauge, series: [Series(value: load.one)]))
        families.append(MetricFamily(name: "node_load5", help: "5m load average.", type: .gauge, series: [Series(value: load.five)]))
        families.append(MetricFamily(name: "node_load15", help: "15m load average.", type: .gauge, series: [Series(value: load.fifteen)]))
    }
}
