import Benchmark
import Foundation
import Glibc
import KubeState
import TelemetryModel

/// kube-state's per-object cost, in process: N objects of a kind decoded from API JSON,
/// run through the kind's families and kept as records (`ObjectRecords`, exactly what
/// a watch does), then the whole `/metrics/kubestate` rendered from the records as text.
/// Reports decode + record CPU and resident memory per object, and render CPU (the
/// fastest of three) and series. Budget: at most 1 KB per object (kube-state-metrics holds about 4 KB per pod).
/// The harness counts allocations through an interposed malloc, which makes the
/// ingest figures here about 1.5× what the agent spends.
let residentPerObject = BenchmarkMetric.custom("RSS per object (bytes)")
let ingestPerObject = BenchmarkMetric.custom("decode + record CPU per object (ns)")
let renderCPU = BenchmarkMetric.custom("render CPU (ms)")
let renderedSeries = BenchmarkMetric.custom("series rendered")
let renderedBytes = BenchmarkMetric.custom("exposition bytes")

/// glibc's malloc_trim, which the Glibc module does not export.
@_silgen_name("malloc_trim")
func mallocTrim(_ pad: Int) -> Int32

func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
}

func cpuNanoseconds() -> Int {
    var now = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
    return now.tv_sec * 1_000_000_000 + now.tv_nsec
}

/// The exposition writer, counting samples on the way.
struct CountingWriter: FamilySink {
    var writer = ExpositionWriter(format: .prometheusText)
    var series = 0

    mutating func beginFamily(_ header: FamilyHeader) { writer.beginFamily(header) }

    mutating func sample(_ labels: SampleLabels, value: Double, startTimeUnixNano: UInt64?) {
        series += 1
        writer.sample(labels, value: value, startTimeUnixNano: startTimeUnixNano)
    }
}

/// Renders every record as Prometheus text, discarding each 256 KiB chunk as a scrape
/// would send it; returns (series, bytes).
func render(_ stores: [ObjectRecords]) -> (series: Int, bytes: Int) {
    var sink = CountingWriter()
    var bytes = 0
    for store in stores {
        var stream = store.makeStream()
        while stream.next(into: &sink) {
            if sink.writer.byteCount >= 256 * 1024 { bytes += sink.writer.drainBytes { $0.count } }
        }
    }
    bytes += sink.writer.drainBytes { $0.count }
    return (sink.series, bytes)
}

/// The fastest of three renders (this VM's timings vary by a third from one to the
/// next); returns (series, bytes, CPU ns).
func fastestRender(_ stores: [ObjectRecords]) -> (series: Int, bytes: Int, cpu: Int) {
    var best = (series: 0, bytes: 0, cpu: Int.max)
    for _ in 0..<3 {
        let start = cpuNanoseconds()
        let (series, bytes) = render(stores)
        best = (series, bytes, min(best.cpu, cpuNanoseconds() - start))
    }
    return best
}

/// Fills a store of `kind` with `count` objects; records CPU and memory per object.
func fill(_ kind: String, _ count: Int, _ make: (Int) -> [UInt8], into benchmark: Benchmark?) throws -> ObjectRecords {
    let records = ObjectRecords(resource: kind)!
    var documents = (0..<count).map(make)
    _ = mallocTrim(0)
    let before = residentBytes() - documents.reduce(0) { $0 + $1.count }
    let start = cpuNanoseconds()
    for document in documents {
        try document.withUnsafeBufferPointer { try records.apply($0) }
    }
    let cpu = cpuNanoseconds() - start
    documents = []
    _ = mallocTrim(0)
    if let benchmark {
        benchmark.measurement(residentPerObject, (residentBytes() - before) / count)
        benchmark.measurement(ingestPerObject, cpu / count)
    }
    return records
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [residentPerObject, ingestPerObject, renderCPU, renderedSeries, renderedBytes],
                                           warmupIterations: 0, maxDuration: .seconds(120), maxIterations: 1)
    let kinds: [(String, Int, (Int) -> [UInt8])] = [
        ("pods", 10_000, Objects.pod), ("pods", 100_000, Objects.pod), ("deployments", 10_000, Objects.deployment),
        ("nodes", 10_000, Objects.node), ("endpointslices", 10_000, { Objects.endpointSlice($0) }),
    ]
    for (kind, count, make) in kinds {
        Benchmark("\(kind), \(count) objects") { benchmark in
            let records = try fill(kind, count, make, into: benchmark)
            let (series, bytes, cpu) = fastestRender([records])
            benchmark.measurement(renderCPU, cpu / 1_000_000)
            benchmark.measurement(renderedSeries, series)
            benchmark.measurement(renderedBytes, bytes)
        }
    }
    Benchmark("cluster: 10k pods, 1k deployments and replicasets, 100 nodes") { benchmark in
        let stores = [try fill("deployments", 1_000, Objects.deployment, into: nil), try fill("nodes", 100, Objects.node, into: nil),
                      try fill("pods", 10_000, Objects.pod, into: nil), try fill("replicasets", 1_000, Objects.replicaSet, into: nil)]
        let (series, bytes, cpu) = fastestRender(stores)
        benchmark.measurement(renderCPU, cpu / 1_000_000)
        benchmark.measurement(renderedSeries, series)
        benchmark.measurement(renderedBytes, bytes)
    }
}
