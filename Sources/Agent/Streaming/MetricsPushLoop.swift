import AppMetrics
import KubeState
import Logging
import OTLPWire
import ServiceLifecycle
import TelemetryModel

/// Every `interval`, encodes what the collectors have (one scope per collector) into
/// OTLP export requests and hands them to the exporter. Snapshots that have not
/// changed since the last push are not sent again; kube-state is rendered from its
/// stores straight into requests of at most 4 MiB, each queued as soon as it is
/// complete and once the queue has drained below two requests, so a push of any size
/// holds a few requests in memory.
///
/// Scraped applications (`apps`) follow, each target in a ResourceMetrics of its own:
/// the agent's resource attributes (without its `service.version`) merged with the
/// target's, scope `telegen.apps`, every family with the Application signal metadata,
/// always cumulative (docs/otlp.md, "Application metrics"). A target whose metrics have
/// not changed since the last push (same scrape time) is not sent again.
struct MetricsPushLoop: Service {
    /// Collector name → instrumentation scope name.
    static let scopes: [(collector: String, scope: String)] = [
        ("kubestate", "telegen.kubestate"), ("cadvisor", "telegen.cadvisor"), ("node", "telegen.node"), ("process", "telegen.self"),
    ]

    struct Encoding: Sendable {
        var resource: OTLPResource
        var temporality: OTLPMetricsEncoder.Temporality
        var signalMetadata: (table: SignalMetadataTable, fields: SignalMetadataFields)?
        var defaultStartTimeUnixNano: UInt64
    }

    let store: SnapshotStore
    let selfMetrics: SelfMetrics
    let exporter: OTLPExporter
    let kubeState: KubeStateSource?
    /// Scraped applications' metrics, when `app_metrics` is on.
    var apps: (any TargetMetricsProvider)? = nil
    let encoding: Encoding
    let interval: Duration
    let flushTimeout: Duration
    let logger: Logger

    func run() async throws {
        let sender = Task { await exporter.run() }
        var state = await cancelWhenGracefulShutdown {
            var state = PushState()
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
        var deltas = CounterDeltas()
        /// Each live application target's scrape time last sent.
        var lastSentApps: [ScrapeTarget: UInt64] = [:]
    }

    /// Encodes and queues what changed since the last push; returns the number of points queued.
    @discardableResult
    func push(_ state: inout PushState) async -> Int {
        let encoder = OTLPMetricsStreamEncoder(resource: encoding.resource, temporality: encoding.temporality,
                                               signalMetadata: encoding.signalMetadata,
                                               defaultStartTimeUnixNano: encoding.defaultStartTimeUnixNano)
        var sink = DeltaSink(inner: encoder, deltas: state.deltas)
        let delta = encoding.temporality == .delta
        if delta { sink.deltas.beginPush() }
        var points = 0
        // Collectors with nothing new since the last push: their series are still in the
        // store, so their delta baselines stay.
        var unchanged: Set<UInt8> = []
        let patience = ContinuousClock.now.advanced(by: interval)
        for (index, (collector, scopeName)) in Self.scopes.enumerated() {
            let scope = OTLPScope(name: scopeName, version: BuildInfo.version)
            var stream: any FamilyStream
            let time: UInt64
            if collector == "kubestate" {
                guard let kubeState else { continue }
                time = WallClock.nowUnixNano()
                stream = kubeState.makeStream()
            } else {
                guard let snapshot = store.snapshot(of: collector) else { continue }
                guard state.lastSent[collector] != snapshot.collectedAtUnixNano else {
                    unchanged.insert(UInt8(index))
                    continue
                }
                state.lastSent[collector] = snapshot.collectedAtUnixNano
                time = snapshot.collectedAtUnixNano
                stream = collector == "process" ? MetricFamiliesStream(selfMetrics.families() + snapshot.source.families)
                                                : snapshot.source.makeStream()
            }
            sink.inner.beginScope(scope, timeUnixNano: time)
            sink.time = time
            sink.scope = UInt8(index)
            while delta ? stream.next(into: &sink) : stream.next(into: &sink.inner) {
                points += await send(&sink.inner, patience: patience)
            }
        }
        if let apps {
            points += await pushApps(apps.currentTargets(), into: &sink.inner, state: &state, patience: patience)
        }
        sink.inner.finish()
        points += await send(&sink.inner, patience: patience)
        if sink.inner.oversizedPoints > 0 {
            await exporter.recordDropped(.metrics, items: sink.inner.oversizedPoints, reason: "oversized")
        }
        if sink.inner.mismatchedPoints > 0 {
            await exporter.recordDropped(.metrics, items: sink.inner.mismatchedPoints, reason: "mismatched_type")
        }
        if delta { sink.deltas.endPush(unchanged: unchanged) }
        state.deltas = sink.deltas
        // The requests are queued; what encoding them took goes back to the system.
        HeapTuning.trim()
        return points
    }

    /// Encodes each target with new metrics as a resource of its own; returns the points queued.
    private func pushApps(_ targets: [TargetMetrics], into encoder: inout OTLPMetricsStreamEncoder, state: inout PushState,
                          patience: ContinuousClock.Instant) async -> Int {
        var points = 0
        var sent: [ScrapeTarget: UInt64] = [:]
        sent.reserveCapacity(targets.count)
        // The agent's version says nothing about an application.
        let agent = OTLPResource(attributes: encoding.resource.attributes.filter { $0.key != "service.version" })
        let scope = OTLPScope(name: "telegen.apps", version: BuildInfo.version)
        for target in targets {
            sent[target.target] = target.timeUnixNano
            guard state.lastSentApps[target.target] != target.timeUnixNano else { continue }
            encoder.beginResource(agent.merging(target.resourceAttributes), temporality: .cumulative)
            encoder.beginScope(scope, timeUnixNano: target.timeUnixNano, metadata: .application(serviceName: target.target.serviceName))
            var stream = MetricFamiliesStream(target.families)
            while stream.next(into: &encoder) {
                points += await send(&encoder, patience: patience)
            }
        }
        state.lastSentApps = sent
        return points
    }

    /// Queued bytes a push waits to go below before it adds a request: two requests in
    /// flight keep the exporter busy while a third is encoded.
    static let pacingBytes = 8 << 20

    /// Queues the requests the encoder has completed, waiting (until `patience`) for
    /// the queue to drain below `pacingBytes` rather than filling it or pushing earlier
    /// requests out. While the backend is unreachable the patience runs out and the
    /// queue fills as it would anyway.
    private func send(_ encoder: inout OTLPMetricsStreamEncoder, patience: ContinuousClock.Instant) async -> Int {
        var points = 0
        for request in encoder.takeRequests() {
            _ = await exporter.waitForRoom(request.bytes.count, queuedAtMost: Self.pacingBytes, until: patience)
            await exporter.enqueue(ExportBatch(signal: .metrics, message: request.bytes, items: request.points))
            points += request.points
        }
        return points
    }
}
