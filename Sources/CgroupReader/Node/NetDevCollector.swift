import TelemetryModel

/// `/proc/net/dev`: node_exporter's 16 `node_network_*_total` counters per interface.
/// No interface is excluded, as in upstream node_exporter (Debian's package drops `lo`).
final class NetDevCollector: NodeSubsystem {
    let name = "netdev"
    private let source: KernelFileSource
    private let bootTimeUnixNano: UInt64?

    private static let families: [(name: String, help: String, direction: Direction, column: Int)] =
        NetDev.receiveColumns.enumerated().map { column, key in
            ("node_network_receive_\(key)_total", "Network device statistic receive_\(key).", .receive, column)
        } + NetDev.transmitColumns.enumerated().map { column, key in
            ("node_network_transmit_\(key)_total", "Network device statistic transmit_\(key).", .transmit, column)
        }

    private enum Direction { case receive, transmit }

    init(path: String, bootTimeUnixNano: UInt64?) {
        source = KernelFileSource(path: path)
        self.bootTimeUnixNano = bootTimeUnixNano
    }

    func collect(into families: inout [MetricFamily]) throws {
        let devices = try source.read(NetDev.parse).devices
        let labels = devices.map { LabelSet.device($0.name) }
        for family in Self.families {
            var series: [Series] = []
            series.reserveCapacity(devices.count)
            for (device, label) in zip(devices, labels) {
                let value = family.direction == .receive ? device.receive[family.column] : device.transmit[family.column]
                series.append(Series(labels: label, value: Double(value), startTimeUnixNano: bootTimeUnixNano))
            }
            families.append(MetricFamily(name: family.name, help: family.help, type: .counter,
                                         unit: family.name.contains("_bytes_") ? "By" : "", series: series))
        }
    }
}
