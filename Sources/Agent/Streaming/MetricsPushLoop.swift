import Logging
import OTLPWire
import ServiceLifecycle
import TelemetryModel

/// Every `interval`, turns the latest snapshot of each collector into OTLP export
/// requests (one scope per collector) and hands them to the exporter. Snapshots that
/// have not changed since the last push are not sent again.
struct MetricsPushLoop: Service {
    /// Collector name → instrumentation scope name.
    static let scopes: [(collector: String, scope: String)] = [
        ("kubestate", "telegen.kubestate"), ("cadvisor", "telegen.cadvisor"), ("node", "telegen.node"), ("process", "telegen.self"),
    ]

    let store: SnapshotStore
    let selfMetrics: SelfMetrics
    let exporter: OTLPExporter
    let encoder: OTLPMetricsEncoder
    let interval: Duration
    let flushTimeout: Duration
    let logger: Logger

    func run() async throws {
        let sender = Task { await exporter.run() }
        var state = await cancelWhenGracefulShutdown {
            var state = PushState(temporality: encoder.temporality)
            let clock = ContinuousClock()
            var deadline = clock.now.advanced(by: interval)
            while !Task.isCancelled {
                do { try await clock.sleep(until: deadline) } catch { break }
                deadline = deadline.advanced(by: interval)
                await push(&state)
            }
            return state
        }
        // Shutting down: what was collected goes out, within the flush timeout.
        await push(&state)
        let flushed = await exporter.flush(timeout: flushTimeout)
        sender.cancel()
        await sender.value
        await exporter.close()
        if !flushed { logger.warning("shutdown: not every queued batch was delivered in time", metadata: ["timeout": "\(flushTimeout)"]) }
    }

    /// Per-push memory: when each collector was last sent, and delta baselines.
    struct PushState {
        var lastSent: [String: UInt64] = [:]
        var delta = DeltaConverter()
        let temporality: OTLPMetricsEncoder.Temporality

        init(temporality: OTLPMetricsEncoder.Temporality) {
            self.temporality = temporality
        }
    }

    /// Encodes and queues what changed since the last push; returns the number of points queued.
    @discardableResult
    func push(_ state: inout PushState) async -> Int {
        var scopes: [OTLPMetricsEncoder.ScopeFamilies] = []
        for (collector, scope) in Self.scopes {
            guard let snapshot = store.snapshot(of: collector), state.lastSent[collector] != snapshot.collectedAtUnixNano else { continue }
            state.lastSent[collector] = snapshot.collectedAtUnixNano
            var families = snapshot.families
            if collector == "process" { families = selfMetrics.families() + families }
            if state.temporality == .delta {
                families = state.delta.convert(families, at: snapshot.collectedAtUnixNano)
            }
            scopes.append(.init(scope: OTLPScope(name: scope, version: BuildInfo.version), families: families,
                                timeUnixNano: snapshot.collectedAtUnixNano))
        }
        guard !scopes.isEmpty else { return 0 }
        let output = encoder.encode(scopes)
        if output.oversizedPoints > 0 {
            await exporter.recordDropped(.metrics, items: output.oversizedPoints, reason: "oversized")
        }
        var points = 0
        for request in output.requests {
            await exporter.enqueue(ExportBatch(signal: .metrics, message: request.bytes, items: request.points))
            points += request.points
        }
        return points
    }
}
