import Benchmark
import Foundation
import HTTP2Transport
import Logging
import OTLPWire
import TelemetryModel

/// 100 000 data points with four string attributes each (the shape of cAdvisor's
/// container series), encoded as OTLP; and the same points sent to a local HTTP/2
/// peer through the exporter (gzip, gRPC framing, nghttp2).
let points = 100_000

let families: [MetricFamily] = [MetricFamily(
    name: "container_cpu_usage_seconds_total", help: "Cumulative cpu time consumed in seconds.", type: .counter, unit: "s",
    series: (0..<points).map { index in
        Series(labels: LabelSet(names: ["id", "container", "pod", "namespace"],
                                values: ["/kubepods/burstable/pod\(index)", "app-\(index % 7)", "pod-\(index)", "namespace-\(index % 13)"]),
               value: Double(index) * 0.25, startTimeUnixNano: 1_795_000_000_000_000_000)
    })]

let encoder = OTLPMetricsEncoder(
    resource: OTLPResource(attributes: [.init("service.name", .string("telegen")), .init("k8s.node.name", .string("node-1"))]),
    signalMetadata: (.telegen, SignalMetadataFields()), defaultStartTimeUnixNano: 1)
let scopes = [OTLPMetricsEncoder.ScopeFamilies(scope: OTLPScope(name: "telegen.cadvisor", version: "0.1.0"), families: families,
                                               timeUnixNano: 1_795_000_100_000_000_000)]

let threadCPU = BenchmarkMetric.custom("CPU, this thread (ns)")
let pointsPerSecond = BenchmarkMetric.custom("Points per second (CPU)", polarity: .prefersLarger, useScalingFactor: false)

func threadCPUNanoseconds() -> Int {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return now.tv_sec * 1_000_000_000 + now.tv_nsec
}

/// The hyper-h2 peer from the test suite, answering every request like a gRPC server.
func startPeer() throws -> (Process, Int) {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let process = Process()
    process.executableURL = root.appendingPathComponent(".venv/bin/python3")
    process.arguments = [root.appendingPathComponent("Tests/Python/h2_server.py").path, "--mode", "ok", "--record", "/dev/null"]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    var text = ""
    while !text.contains("\n") { text += String(decoding: output.fileHandleForReading.availableData, as: UTF8.self) }
    return (process, Int(text.split(separator: " ")[1].trimmingCharacters(in: .whitespacesAndNewlines))!)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .peakMemoryResidentDelta, threadCPU, pointsPerSecond],
        warmupIterations: 2, maxDuration: .seconds(10), maxIterations: 40)

    Benchmark("Encode 100k points as OTLP (4 string attributes each)") { benchmark in
        let start = threadCPUNanoseconds()
        var bytes = 0
        for _ in benchmark.scaledIterations {
            let output = encoder.encode(scopes)
            bytes += output.requests.reduce(0) { $0 + $1.bytes.count }
            blackHole(output)
        }
        let cpu = threadCPUNanoseconds() - start
        benchmark.measurement(threadCPU, cpu)
        benchmark.measurement(pointsPerSecond, Int(Double(points) / (Double(cpu) / 1e9)))
        blackHole(bytes)
    }

    Benchmark("Export 100k points to a local HTTP/2 peer (gzip)",
              configuration: .init(metrics: [.wallClock, .peakMemoryResidentDelta, .custom("Points per second (wall)", polarity: .prefersLarger, useScalingFactor: false)],
                                   warmupIterations: 1, maxDuration: .seconds(20), maxIterations: 10)) { benchmark in
        let (peer, port) = try startPeer()
        defer { peer.terminate() }
        let transport = try GRPCTransport(endpoint: HTTP2Endpoint(url: "http://127.0.0.1:\(port)"), settings: TransportSettings(userAgent: "telegen/bench"))
        let exporter = try OTLPExporter(transport: transport, logger: Logger(label: "bench"))
        let sender = Task { await exporter.run() }
        benchmark.startMeasurement()
        let started = ContinuousClock.now
        for _ in benchmark.scaledIterations {
            for request in encoder.encode(scopes).requests {
                await exporter.enqueue(ExportBatch(signal: .metrics, message: request.bytes, items: request.points))
            }
            _ = await exporter.flush(timeout: .seconds(60))
        }
        let elapsed = ContinuousClock.now - started
        benchmark.stopMeasurement()
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        benchmark.measurement(.custom("Points per second (wall)", polarity: .prefersLarger, useScalingFactor: false),
                              Int(Double(points * benchmark.scaledIterations.count) / seconds))
        sender.cancel()
        await sender.value
        await exporter.close()
        precondition(exporter.statistics[.metrics].sentItems == points * benchmark.scaledIterations.count, "not everything was delivered")
    }
}
