import Benchmark
import CgroupReader
import Glibc
import TelemetryModel

let threadCPU = BenchmarkMetric.custom("CPU, this thread (ns)")

func threadCPUNanoseconds() -> Int {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return now.tv_sec * 1_000_000_000 + now.tv_nsec
}

/// Rendering what a scrape returns: the node families in both pull formats.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput, threadCPU],
        warmupIterations: 20,
        maxDuration: .seconds(5),
        maxIterations: 5000)

    let families = NodeCollector(paths: NodePaths(procRoot: "/proc", sysRoot: "/sys", rootfs: "/")).collect().families

    Benchmark("Encode node families, Prometheus text") { benchmark in
        let encoder = ExpositionEncoder(format: .prometheusText)
        let start = threadCPUNanoseconds()
        for _ in benchmark.scaledIterations {
            blackHole(encoder.encode(families))
        }
        benchmark.measurement(threadCPU, threadCPUNanoseconds() - start)
    }

    Benchmark("Encode node families, OpenMetrics") { benchmark in
        let encoder = ExpositionEncoder(format: .openMetrics)
        let start = threadCPUNanoseconds()
        for _ in benchmark.scaledIterations {
            blackHole(encoder.encode(families))
        }
        benchmark.measurement(threadCPU, threadCPUNanoseconds() - start)
    }

    // Go %g formatting alone, on values shaped like kernel counters and timestamps.
    let values: [Double] = (0..<1000).map { Double($0) * 1234.567 + 1.795303313e9 * Double($0 % 2) }
    Benchmark("Format 1000 values as Go %g") { benchmark in
        var out: [UInt8] = []
        out.reserveCapacity(32_000)
        let start = threadCPUNanoseconds()
        for _ in benchmark.scaledIterations {
            out.removeAll(keepingCapacity: true)
            for value in values { GoFloatFormat.append(value, to: &out) }
            blackHole(out)
        }
        benchmark.measurement(threadCPU, threadCPUNanoseconds() - start)
    }
}
