import AppMetrics
import Benchmark
import Glibc

let threadCPU = BenchmarkMetric.custom("CPU, this thread (ns)")
let samplesPerSecond = BenchmarkMetric.custom("Samples per second (thousands)", polarity: .prefersLarger, useScalingFactor: false)

func threadCPUNanoseconds() -> Int {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return now.tv_sec * 1_000_000_000 + now.tv_nsec
}

/// A body shaped like node_exporter's on a 16-CPU host: per-CPU mode counters, network
/// and disk counters per device, filesystem gauges, Go runtime summaries, all with HELP
/// and TYPE lines, values as client_golang writes them.
func nodeExporterLikeBody() -> [UInt8] {
    var out = ""
    func family(_ name: String, _ type: String, _ help: String) { out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n" }
    family("go_gc_duration_seconds", "summary", "A summary of the wall-time pause (stop-the-world) duration in garbage collection cycles.")
    for q in ["0", "0.25", "0.5", "0.75", "1"] { out += "go_gc_duration_seconds{quantile=\"\(q)\"} 2.3456e-05\n" }
    out += "go_gc_duration_seconds_sum 0.012345678\ngo_gc_duration_seconds_count 1234\n"
    family("go_goroutines", "gauge", "Number of goroutines that currently exist.")
    out += "go_goroutines 8\n"
    let modes = ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"]
    family("node_cpu_seconds_total", "counter", "Seconds the CPUs spent in each mode.")
    for cpu in 0..<16 { for (k, mode) in modes.enumerated() { out += "node_cpu_seconds_total{cpu=\"\(cpu)\",mode=\"\(mode)\"} \(123456.78 + Double(cpu * 8 + k) * 17.31)\n" } }
    let devices = ["eth0", "eth1", "lo", "docker0", "veth1a2b3c4", "veth5d6e7f8", "cni0", "flannel.1"]
    for metric in ["receive_bytes", "receive_packets", "receive_errs", "receive_drop", "transmit_bytes", "transmit_packets", "transmit_errs", "transmit_drop"] {
        family("node_network_\(metric)_total", "counter", "Network device statistic \(metric).")
        for (k, device) in devices.enumerated() { out += "node_network_\(metric)_total{device=\"\(device)\"} \(Double(k) * 9.87654321e9 + 12345)\n" }
    }
    let disks = ["nvme0n1", "nvme1n1", "sda", "sdb", "dm-0", "dm-1"]
    for metric in ["reads_completed", "reads_merged", "read_bytes", "read_time_seconds", "writes_completed", "writes_merged", "written_bytes", "write_time_seconds", "io_time_seconds", "discards_completed"] {
        family("node_disk_\(metric)_total", "counter", "The total number of \(metric).")
        for (k, disk) in disks.enumerated() { out += "node_disk_\(metric)_total{device=\"\(disk)\"} \(Double(k + 1) * 4.5e6)\n" }
    }
    let mounts = [("/", "/dev/nvme0n1p2", "ext4"), ("/boot", "/dev/nvme0n1p1", "vfat"), ("/var/lib/kubelet", "/dev/nvme1n1", "xfs"), ("/run", "tmpfs", "tmpfs")]
    for metric in ["avail_bytes", "free_bytes", "size_bytes", "files", "files_free", "readonly", "device_error"] {
        family("node_filesystem_\(metric)", "gauge", "Filesystem \(metric).")
        for (k, m) in mounts.enumerated() { out += "node_filesystem_\(metric){device=\"\(m.1)\",fstype=\"\(m.2)\",mountpoint=\"\(m.0)\"} \(Double(k + 1) * 1.073741824e10)\n" }
    }
    for metric in ["MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached", "SwapCached", "Active", "Inactive", "Dirty", "Writeback", "AnonPages", "Mapped", "Shmem", "Slab", "SReclaimable", "SUnreclaim", "KernelStack", "PageTables", "CommitLimit", "Committed_AS", "VmallocTotal", "HugePages_Total", "Hugepagesize"] {
        family("node_memory_\(metric)_bytes", "gauge", "Memory information field \(metric)_bytes.")
        out += "node_memory_\(metric)_bytes 1.6437886976e+10\n"
    }
    for metric in ["load1", "load5", "load15", "boot_time_seconds", "time_seconds", "context_switches_total", "forks_total", "intr_total", "procs_running", "procs_blocked"] {
        family("node_\(metric)", metric.hasSuffix("_total") ? "counter" : "gauge", "node \(metric).")
        out += "node_\(metric) 1.7123456789e+09\n"
    }
    family("node_uname_info", "gauge", "Labeled system information as provided by the uname system call.")
    out += "node_uname_info{domainname=\"(none)\",machine=\"x86_64\",nodename=\"worker-1\",release=\"6.1.0-18-amd64\",sysname=\"Linux\",version=\"#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)\"} 1\n"
    return Array(out.utf8)
}

/// A histogram-heavy body: an HTTP server's request durations and sizes by handler,
/// method and code, twelve buckets each (client_golang's default buckets).
func histogramHeavyBody() -> [UInt8] {
    var out = ""
    let bounds = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"]
    for metric in ["http_request_duration_seconds", "http_response_size_bytes"] {
        out += "# HELP \(metric) Histogram of \(metric).\n# TYPE \(metric) histogram\n"
        for handler in ["/", "/api/v1/query", "/api/v1/query_range", "/api/v1/series", "/metrics", "/healthz", "/api/v1/labels", "/api/v1/write"] {
            for method in ["GET", "POST"] {
                for code in ["200", "400", "500"] {
                    var cumulative = 0
                    for (k, le) in bounds.enumerated() {
                        cumulative += k * 7 + 3
                        out += "\(metric)_bucket{code=\"\(code)\",handler=\"\(handler)\",method=\"\(method)\",le=\"\(le)\"} \(cumulative)\n"
                    }
                    out += "\(metric)_sum{code=\"\(code)\",handler=\"\(handler)\",method=\"\(method)\"} 1234.5678\n"
                    out += "\(metric)_count{code=\"\(code)\",handler=\"\(handler)\",method=\"\(method)\"} \(cumulative)\n"
                }
            }
        }
    }
    return Array(out.utf8)
}

/// Parsing scraped bodies: samples per second on one core.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, threadCPU, samplesPerSecond],
        warmupIterations: 20,
        maxDuration: .seconds(5),
        maxIterations: 5000)

    for (name, body) in [("node_exporter-like", nodeExporterLikeBody()), ("histogram-heavy", histogramHeavyBody())] {
        let parser = ExpositionParser(format: .prometheusText, sampleLimit: 0)
        let samples = (try? parser.parse(body).sampleCount) ?? 0
        Benchmark("Parse \(name) text body (\(samples) samples, \(body.count) bytes)") { benchmark in
            let start = threadCPUNanoseconds()
            var iterations = 0
            for _ in benchmark.scaledIterations {
                blackHole(try? parser.parse(body))
                iterations += 1
            }
            let elapsed = max(1, threadCPUNanoseconds() - start)
            benchmark.measurement(threadCPU, elapsed)
            benchmark.measurement(samplesPerSecond, samples * iterations * 1_000_000 / elapsed)
        }
    }
}
