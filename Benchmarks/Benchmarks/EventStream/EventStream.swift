import Benchmark
import EventLogs
import KubeWatch
import OTLPWire
import TelemetryModel
#if canImport(Glibc)
import Glibc
#endif

/// The event stream's per-notification work on one core: an event object as the API
/// server writes it in a watch line (a kubelet BackOff event, ~900 bytes) decoded, checked
/// against the dedup state, mapped to a log record, and the records encoded as OTLP logs
/// requests. The HTTP/2 read and the scan of the watch line's envelope are not in it.
let notifications = 100_000

func eventJSON(_ index: Int, count: Int = 1) -> [UInt8] {
    let uid = String(format: "%08x-1f2e-4d3c-8b7a-%012x", index, index &* 7919)
    let text = #"{"metadata":{"name":"web-\#(index).18a2b3c4d5e6f708","namespace":"shop","uid":"\#(uid)","resourceVersion":"\#(1_000_000 + index)","creationTimestamp":"2026-12-03T10:00:01Z","managedFields":[{"manager":"kubelet","operation":"Update","apiVersion":"v1","time":"2026-12-03T10:00:01Z","fieldsType":"FieldsV1","fieldsV1":{"f:count":{},"f:firstTimestamp":{},"f:involvedObject":{},"f:lastTimestamp":{},"f:message":{},"f:reason":{},"f:source":{"f:component":{},"f:host":{}},"f:type":{}}}]},"involvedObject":{"kind":"Pod","namespace":"shop","name":"web-\#(index)","uid":"\#(uid)","apiVersion":"v1","resourceVersion":"4242","fieldPath":"spec.containers{web}"},"reason":"BackOff","message":"Back-off restarting failed container web in pod web-\#(index)_shop(\#(uid))","source":{"component":"kubelet","host":"node-17"},"firstTimestamp":"2026-12-03T10:00:01Z","lastTimestamp":"2026-12-03T10:00:0\#(count)Z","count":\#(count),"type":"Warning","eventTime":null,"reportingComponent":"kubelet","reportingInstance":"node-17"}"#
    return Array(text.utf8)
}

let objects = (0..<notifications).map { eventJSON($0) }
let encoder = OTLPLogsEncoder(resource: OTLPResource(attributes: [.init("service.name", .string("telegen")), .init("k8s.node.name", .string("node-1"))]),
                              scope: OTLPScope(name: "telegen.events", version: "bench"))

let threadCPU = BenchmarkMetric.custom("CPU, this thread (ns)")
let eventsPerSecond = BenchmarkMetric.custom("Events per second (CPU)", polarity: .prefersLarger, useScalingFactor: false)
let bytesPerTracked = BenchmarkMetric.custom("RSS bytes per tracked event", polarity: .prefersSmaller, useScalingFactor: false)

/// glibc's malloc_trim, which the Glibc module does not export.
@_silgen_name("malloc_trim")
func mallocTrim(_ pad: Int) -> Int32

func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
}

func threadCPUNanoseconds() -> Int {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return now.tv_sec * 1_000_000_000 + now.tv_nsec
}

func makeSink() -> (EventStreamSink, EventIntake) {
    let intake = EventIntake(filter: EventFilter(), mapping: EventRecordMapping(), rateLimit: 1e12)
    intake.open(stream: "all", resumingFrom: "1")
    return (EventStreamSink(stream: "all", intake: intake), intake)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, threadCPU, eventsPerSecond],
        warmupIterations: 1, maxDuration: .seconds(20), maxIterations: 20)

    Benchmark("100k event notifications: decode, dedup, map, encode as OTLP logs") { benchmark in
        var cpu = 0
        for _ in benchmark.scaledIterations {
            let (sink, intake) = makeSink()
            let start = threadCPUNanoseconds()
            var bytes = 0
            for (index, object) in objects.enumerated() {
                _ = try object.withUnsafeBufferPointer { try sink.apply(.added, object: $0) }
                if index % 1000 == 999 {
                    // The forwarder ships every second; at this rate that is many records a batch.
                    bytes += encoder.encode(intake.takeOutbox().records).requests.reduce(0) { $0 + $1.bytes.count }
                }
            }
            cpu += threadCPUNanoseconds() - start
            precondition(intake.statistics.emitted == notifications, "every notification is a record")
            blackHole(bytes)
        }
        benchmark.measurement(threadCPU, cpu / max(benchmark.scaledIterations.count, 1))
        benchmark.measurement(eventsPerSecond, Int(Double(notifications * benchmark.scaledIterations.count) / (Double(cpu) / 1e9)))
    }

    Benchmark("Dedup state: resident memory per tracked event (100k events)",
              configuration: .init(metrics: [bytesPerTracked], warmupIterations: 1, maxIterations: 5)) { benchmark in
        for _ in benchmark.scaledIterations {
            let (sink, intake) = makeSink()
            // Records leave at once (as the forwarder ships them), so what stays is the dedup state.
            _ = intake.takeOutbox()
            _ = mallocTrim(0)
            let before = residentBytes()
            for object in objects {
                _ = try object.withUnsafeBufferPointer { try sink.apply(.added, object: $0) }
                if intake.statistics.emitted % 1000 == 0 { _ = intake.takeOutbox() }
            }
            _ = intake.takeOutbox()
            _ = mallocTrim(0)
            let after = residentBytes()
            precondition(intake.statistics.tracked == notifications, "every event is tracked")
            benchmark.measurement(bytesPerTracked, (after - before) / notifications)
        }
    }
}
