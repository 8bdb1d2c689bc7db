import TelemetryModel

/// `/proc/diskstats`: node_exporter's `node_disk_*` families per whole disk.
final class DiskStatsCollector: NodeSubsystem {
    let name = "diskstats"
    private let source: KernelFileSource
    private let bootTimeUnixNano: UInt64?

    /// How node_exporter turns a counter into a value: sectors are 512 bytes whatever
    /// the device's sector size, and milliseconds are multiplied by 0.001 (not divided
    /// by 1000: the two differ in the last bit for some values).
    private enum Scale { case count, sectorsToBytes, millisecondsToSeconds }

    private struct Family {
        var name: String
        var help: String
        var type: MetricType
        var unit: String
        var column: DiskStats.Column
        var scale: Scale
    }

    private static let families: [Family] = [
        Family(name: "node_disk_reads_completed_total", help: "The total number of reads completed successfully.", type: .counter, unit: "{read}", column: .readsCompleted, scale: .count),
        Family(name: "node_disk_reads_merged_total", help: "The total number of reads merged.", type: .counter, unit: "{read}", column: .readsMerged, scale: .count),
        Family(name: "node_disk_read_bytes_total", help: "The total number of bytes read successfully.", type: .counter, unit: "By", column: .sectorsRead, scale: .sectorsToBytes),
        Family(name: "node_disk_read_time_seconds_total", help: "The total number of seconds spent by all reads.", type: .counter, unit: "s", column: .readTimeMilliseconds, scale: .millisecondsToSeconds),
        Family(name: "node_disk_writes_completed_total", help: "The total number of writes completed successfully.", type: .counter, unit: "{write}", column: .writesCompleted, scale: .count),
        Family(name: "node_disk_writes_merged_total", help: "The number of writes merged.", type: .counter, unit: "{write}", column: .writesMerged, scale: .count),
        Family(name: "node_disk_written_bytes_total", help: "The total number of bytes written successfully.", type: .counter, unit: "By", column: .sectorsWritten, scale: .sectorsToBytes),
        Family(name: "node_disk_write_time_seconds_total", help: "This is the total number of seconds spent by all writes.", type: .counter, unit: "s", column: .writeTimeMilliseconds, scale: .millisecondsToSeconds),
        Family(name: "node_disk_io_now", help: "The number of I/Os currently in progress.", type: .gauge, unit: "{operation}", column: .iosInProgress, scale: .count),
        Family(name: "node_disk_io_time_seconds_total", help: "Total seconds spent doing I/Os.", type: .counter, unit: "s", column: .ioTimeMilliseconds, scale: .millisecondsToSeconds),
        Family(name: "node_disk_io_time_weighted_seconds_total", help: "The weighted # of seconds spent doing I/Os.", type: .counter, unit: "s", column: .weightedIOTimeMilliseconds, scale: .millisecondsToSeconds),
        Family(name: "node_disk_discards_completed_total", help: "The total number of discards completed successfully.", type: .counter, unit: "{discard}", column: .discardsCompleted, scale: .count),
        Family(name: "node_disk_discards_merged_total", help: "The total number of discards merged.", type: .counter, unit: "{discard}", column: .discardsMerged, scale: .count),
        Family(name: "node_disk_discarded_sectors_total", help: "The total number of sectors discarded successfully.", type: .counter, unit: "{sector}", column: .sectorsDiscarded, scale: .count),
        Family(name: "node_disk_discard_time_seconds_total", help: "This is the total number of seconds spent by all discards.", type: .counter, unit: "s", column: .discardTimeMilliseconds, scale: .millisecondsToSeconds),
        Family(name: "node_disk_flush_requests_total", help: "The total number of flush requests completed successfully", type: .counter, unit: "{request}", column: .flushesCompleted, scale: .count),
        Family(name: "node_disk_flush_requests_time_seconds_total", help: "This is the total number of seconds spent by all flush requests.", type: .counter, unit: "s", column: .flushTimeMilliseconds, scale: .millisecondsToSeconds),
    ]

    init(path: String, bootTimeUnixNano: UInt64?) {
        source = KernelFileSource(path: path)
        self.bootTimeUnixNano = bootTimeUnixNano
    }

    func collect(into families: inout [MetricFamily]) throws {
        let devices = try source.read(DiskStats.parse).devices.filter { !DiskDeviceFilter.isExcluded($0.name) }
        let labels = devices.map { LabelSet.device($0.name) }
        for family in Self.families {
            var series: [Series] = []
            for (device, label) in zip(devices, labels) {
                guard let raw = device[family.column] else { continue }
                let value: Double = switch family.scale {
                case .count: Double(raw)
                case .sectorsToBytes: Double(raw) * 512
                case .millisecondsToSeconds: Double(raw) * 0.001
                }
                series.append(Series(labels: label, value: value,
                                     startTimeUnixNano: family.type == .counter ? bootTimeUnixNano : nil))
            }
            families.append(MetricFamily(name: family.name, help: family.help, type: family.type, unit: family.unit, series: series))
        }
    }
}

/// node_exporter's default device exclusion, `^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$`:
/// partitions, RAM disks and loop devices, keeping whole disks. Written out by hand
/// because it runs for every device every cycle; a test checks it against the regex.
enum DiskDeviceFilter {
    static func isExcluded(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        var stemEnd = bytes.count
        while stemEnd > 0, bytes[stemEnd - 1].isASCIIDigit { stemEnd -= 1 }
        guard stemEnd < bytes.count else { return false }  // needs a trailing number
        let stem = bytes[0..<stemEnd]
        switch String(decoding: stem, as: UTF8.self) {
        case "ram", "zram", "loop", "fd": return true
        default: break
        }
        // (h|s|v|xv)d[a-z]
        if stem.count == 3, [UInt8(ascii: "h"), UInt8(ascii: "s"), UInt8(ascii: "v")].contains(stem[0]),
           stem[1] == UInt8(ascii: "d"), stem[2].isASCIILowercaseLetter {
            return true
        }
        if stem.count == 4, stem.starts(with: "xvd".utf8), stem[3].isASCIILowercaseLetter {
            return true
        }
        // nvme\d+n\d+p
        guard stem.starts(with: "nvme".utf8), stem.last == UInt8(ascii: "p") else { return false }
        let middle = stem.dropFirst(4).dropLast()
        guard let n = middle.firstIndex(of: UInt8(ascii: "n")) else { return false }
        let controller = middle[..<n], namespace = middle[(n + 1)...]
        return !controller.isEmpty && !namespace.isEmpty
            && controller.allSatisfy(\.isASCIIDigit) && namespace.allSatisfy(\.isASCIIDigit)
    }
}

extension UInt8 {
    var isASCIIDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
    var isASCIILowercaseLetter: Bool { self >= UInt8(ascii: "a") && self <= UInt8(ascii: "z") }
}
