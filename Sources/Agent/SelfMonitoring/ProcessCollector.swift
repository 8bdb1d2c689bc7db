import CgroupReader
import TelemetryModel
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Telegen's own CPU, memory and file descriptors, read from /proc/self: the numbers
/// behind the agent's footprint claims, visible on every node it runs on.
final class ProcessCollector: Collector {
    let name = "process"
    private let startUnixNano: UInt64
    private let reader = Mutex(KernelFileReader(initialCapacity: 256))
    private let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))

    init(startUnixNano: UInt64) {
        self.startUnixNano = startUnixNano
    }

    func collect() -> CollectionResult {
        var families: [MetricFamily] = []
        var failures: [CollectionFailure] = []

        var usage = rusage()
        if getrusage(Int32(RUSAGE_SELF.rawValue), &usage) == 0 {
            let seconds = Double(usage.ru_utime.tv_sec) + Double(usage.ru_stime.tv_sec)
                + (Double(usage.ru_utime.tv_usec) + Double(usage.ru_stime.tv_usec)) / 1e6
            families.append(MetricFamily(
                name: "telegen_process_cpu_seconds_total", help: "User and system CPU time Telegen has used.",
                type: .counter, unit: "s", series: [Series(value: seconds, startTimeUnixNano: startUnixNano)]))
        }

        do {
            let (virtualPages, residentPages) = try reader.withLock { reader in
                try reader.withContents(of: "/proc/self/statm") { bytes -> (Double, Double) in
                    let fields = String(decoding: bytes, as: UTF8.self).split(separator: " ")
                    guard fields.count >= 2, let size = Double(fields[0]), let resident = Double(fields[1]) else {
                        throw CollectionFailure(subsystem: "statm", message: "unexpected /proc/self/statm")
                    }
                    return (size, resident)
                }
            }
            families.append(MetricFamily(
                name: "telegen_process_resident_memory_bytes", help: "Resident memory of the Telegen process.",
                type: .gauge, unit: "By", series: [Series(value: residentPages * pageSize)]))
            families.append(MetricFamily(
                name: "telegen_process_virtual_memory_bytes", help: "Virtual memory of the Telegen process.",
                type: .gauge, unit: "By", series: [Series(value: virtualPages * pageSize)]))
        } catch {
            failures.append(CollectionFailure(subsystem: "statm", message: "\(error)"))
        }

        if let directory = opendir("/proc/self/fd") {
            var count = 0
            while let entry = readdir(directory) {
                if entry.pointee.d_name.0 != UInt8(ascii: ".") { count += 1 }
            }
            closedir(directory)
            families.append(MetricFamily(
                name: "telegen_process_open_fds", help: "Open file descriptors of the Telegen process.",
                type: .gauge, unit: "{fd}", series: [Series(value: Double(count - 1))]))  // minus the directory's own fd
        }

        families.append(MetricFamily(
            name: "telegen_process_start_time_seconds", help: "When the Telegen process started, in Unix seconds.",
            type: .gauge, unit: "s", series: [Series(value: Double(startUnixNano / 1_000_000) / 1e3)]))
        return CollectionResult(families: families, failures: failures)
    }
}
