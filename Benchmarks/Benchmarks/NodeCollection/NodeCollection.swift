import Benchmark
import CgroupReader
import Glibc

/// CPU time of the whole process (every thread, including the statfs worker), in ns.
/// The harness' own CPU metric has a 10 ms resolution here, too coarse for a cycle.
let processCPU = BenchmarkMetric.custom("CPU, all threads (ns)")

func processCPUNanoseconds() -> Int {
    var now = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
    return now.tv_sec * 1_000_000_000 + now.tv_nsec
}

/// One full node collection cycle on this machine's real /proc and /sys: every
/// family node dashboards use (target: at most 2 ms of CPU per cycle).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .syscalls, .peakMemoryResident, processCPU],
        warmupIterations: 20,
        maxDuration: .seconds(5),
        maxIterations: 2000)

    let collector = NodeCollector(paths: NodePaths(procRoot: "/proc", sysRoot: "/sys", rootfs: "/"))

    Benchmark("Node collection cycle") { benchmark in
        let start = processCPUNanoseconds()
        for _ in benchmark.scaledIterations {
            blackHole(collector.collect())
        }
        benchmark.measurement(processCPU, processCPUNanoseconds() - start)
    }
}
