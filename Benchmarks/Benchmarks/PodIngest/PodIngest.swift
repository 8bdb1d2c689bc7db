import Benchmark
import Foundation
import Glibc
import HTTP2Transport
import KubeWatch
import Logging

/// Pods ingested through the project's fake API server (Tests/Python/fake_apiserver.py,
/// h2c on loopback), as the agent ingests them: paginated LIST into the store, then
/// watch events. Reports the list's wall and CPU time, steady and peak resident memory
/// per pod, and watch events applied per second.
let listSeconds = BenchmarkMetric.custom("initial list, wall (ms)")
let listCPU = BenchmarkMetric.custom("initial list, CPU (ms)")
let steadyPerPod = BenchmarkMetric.custom("steady RSS per pod (bytes)")
let peakPerPod = BenchmarkMetric.custom("peak RSS growth per pod (bytes)")
let eventsPerSecond = BenchmarkMetric.custom("watch events per second")

@_silgen_name("malloc_trim")
func mallocTrim(_ pad: Int) -> Int32

func status(_ field: String) -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }) else { return 0 }
    return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
}

func cpuMilliseconds() -> Int {
    var now = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
    return now.tv_sec * 1000 + now.tv_nsec / 1_000_000
}

func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// The fake server as a child process, `pods` synthetic pods preloaded.
final class FakeServer {
    let process = Process()
    let port = freePort()
    let controlPort = freePort()

    init(pods: Int) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        process.executableURL = root.appendingPathComponent(".venv/bin/python3")
        process.arguments = [root.appendingPathComponent("Tests/Python/fake_apiserver.py").path, "--plaintext",
                             "--port", String(port), "--control-port", String(controlPort), "--record", "/dev/null",
                             "--synthetic-pods", String(pods), "--nodes", "1000", "--bookmark-interval", "0"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var text = ""
        while !text.contains("READY") && process.isRunning {
            text += String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        }
    }

    /// Posts pods through the control port (curl: one request, many objects).
    func post(_ pods: [[String: Any]]) throws {
        let file = NSTemporaryDirectory() + "/telegen-ingest-\(getpid()).json"
        try JSONSerialization.data(withJSONObject: ["resource": "pods", "objects": pods]).write(to: URL(fileURLWithPath: file))
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-s", "-o", "/dev/null", "-X", "POST", "--data-binary", "@" + file, "http://127.0.0.1:\(controlPort)/objects"]
        try curl.run()
        curl.waitUntilExit()
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [listSeconds, listCPU, steadyPerPod, peakPerPod, eventsPerSecond],
                                           warmupIterations: 0, maxDuration: .seconds(300), maxIterations: 1)
    for count in [10_000, 100_000] {
        Benchmark("Pod ingest through the fake API server, \(count) pods") { benchmark in
            let server = try FakeServer(pods: count)
            let client = try HTTP2Client(endpoint: HTTP2Endpoint(secure: false, host: "127.0.0.1", port: server.port))
            defer { client.shutdown() }
            var configuration = Reflector<Pod>.Configuration(request: ListWatchRequest(resource: .pods, mode: .list(limit: 500, continueToken: nil)))
            configuration.pageSize = 500
            let reflector = Reflector<Pod>(client: client, token: BearerToken(credential: .none), configuration: configuration,
                                           logger: Logger(label: "bench")) { raw in try Pod(json: raw) }
            _ = mallocTrim(0)
            let before = status("VmRSS"), cpuBefore = cpuMilliseconds()
            let started = ContinuousClock.now
            let task = Task { await reflector.run() }
            while !reflector.statistics.synced { try await Task.sleep(for: .milliseconds(5)) }
            let listed = ContinuousClock.now - started
            let cpu = cpuMilliseconds() - cpuBefore
            let peak = status("VmHWM")
            _ = mallocTrim(0)
            let steady = status("VmRSS")
            benchmark.measurement(listSeconds, Int(listed.components.seconds * 1000 + listed.components.attoseconds / 1_000_000_000_000_000))
            benchmark.measurement(listCPU, cpu)
            benchmark.measurement(steadyPerPod, (steady - before) / count)
            benchmark.measurement(peakPerPod, (peak - before) / count)

            // Watch events: 5 000 new pods in one control request, applied as ADDED events.
            let events = 5_000
            let pods: [[String: Any]] = (0..<events).map { index in
                ["apiVersion": "v1", "kind": "Pod",
                 "metadata": ["name": "bench-\(index)", "namespace": "bench", "uid": "bench-uid-\(index)",
                              "creationTimestamp": "2024-05-01T10:00:00Z", "labels": ["app": "bench"]],
                 "spec": ["nodeName": "node-0001", "containers": [["name": "app", "image": "bench:1",
                                                                   "resources": ["requests": ["cpu": "100m", "memory": "64Mi"]]]]],
                 "status": ["phase": "Running", "podIP": "10.9.\(index / 256).\(index % 256)",
                            "conditions": [["type": "Ready", "status": "True", "lastTransitionTime": "2024-05-01T10:00:05Z"]]]]
            }
            let eventsBefore = reflector.statistics.watchEvents
            let posted = ContinuousClock.now
            try server.post(pods)
            while reflector.statistics.watchEvents - eventsBefore < events { try await Task.sleep(for: .milliseconds(2)) }
            let elapsed = ContinuousClock.now - posted
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            benchmark.measurement(eventsPerSecond, Int(Double(events) / seconds))
            task.cancel()
        }
    }
}
