import TelemetryModel
import Synchronization

/// `/proc/meminfo`: one gauge per line, named as node_exporter names them:
/// `Active(anon)` becomes `node_memory_Active_anon_bytes`, kB values become bytes,
/// and unitless lines (`HugePages_Total`) keep their name and count.
final class MemInfoCollector: NodeSubsystem {
    let name = "meminfo"
    private let source: KernelFileSource
    /// Family name and help per kernel field name; the set of fields never changes.
    private let names = Mutex<[String: (name: String, help: String)]>([:])

    init(path: String) {
        source = KernelFileSource(path: path)
    }

    func collect(into families: inout [MetricFamily]) throws {
        let info = try source.read(MemInfo.parse)
        let built = names.withLock { cache -> [MetricFamily] in
            var result: [MetricFamily] = []
            result.reserveCapacity(info.fields.count)
            for field in info.fields {
                let key = field.inKibibytes ? "\(field.name)+kB" : field.name
                let names: (name: String, help: String)
                if let cached = cache[key] {
                    names = cached
                } else {
                    names = Self.familyName(for: field)
                    cache[key] = names
                }
                // node_exporter parses the number as a float and multiplies by 1024.
                let value = field.inKibibytes ? Double(field.value) * 1024 : Double(field.value)
                result.append(MetricFamily(name: names.name, help: names.help, type: .gauge,
                                           unit: field.inKibibytes ? "By" : "", series: [Series(value: value)]))
            }
            return result
        }
        families.append(contentsOf: built)
    }

    /// `Active(anon)` → `Active_anon`, plus `_bytes` for kB fields; anything else that
    /// is not allowed in a metric name becomes `_`.
    static func familyName(for field: MemInfo.Field) -> (name: String, help: String) {
        var key = field.name
        if let open = key.firstIndex(of: "("), let close = key.lastIndex(of: ")"), open < close {
            key = String(key[..<open]) + "_" + String(key[key.index(after: open)..<close]) + String(key[key.index(after: close)...])
        }
        key = MetricName.sanitizedLabelName(key)
        if field.inKibibytes { key += "_bytes" }
        return ("node_memory_" + key, "Memory information field \(key).")
    }
}
