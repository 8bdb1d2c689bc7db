import MetricModel
import Synchronization

/// `/proc/loadavg`: node_load1, node_load5, node_load15.
final class LoadAverageCollector: NodeSubsystem {
    let name = "loadavg"
    private let path: String
    private let reader = Mutex(KernelFileReader(initialCapacity: 128))

    init(path: String) {
        self.path = path
    }

    func collect(into families: inout [MetricFamily]) throws {
        let path = self.path
        let load = try reader.withLock { reader in
            try reader.withContents(of: path) { try LoadAverage.parse($0, file: path) }
        }
        families.append(MetricFamily(name: "node_load1", help: "1m load average.", type: .gauge, series: [Series(value: load.one)]))
        families.append(MetricFamily(name: "node_load5", help: "5m load average.", type: .gauge, series: [Series(value: load.five)]))
        families.append(MetricFamily(name: "node_load15", help: "15m load average.", type: .gauge, series: [Series(value: load.fifteen)]))
    }
}
