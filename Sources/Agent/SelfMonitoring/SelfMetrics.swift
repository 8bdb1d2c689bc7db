import AppMetrics
import EventLogs
import KubeState
import KubeWatch
import OTLPWire
import Synchronization
import TelemetryModel

/// Telegen's own counters and gauges (`telegen_*`), kept in memory and rendered
/// on demand for `/metrics/self` and the OTLP push.
final class SelfMetrics: Sendable {
    /// Which parts of a collector started or stopped failing in the last cycle.
    struct FailureChange: Sendable {
        var newlyFailing: Set<String> = []
        var recovered: Set<String> = []
    }

    private struct CollectorState {
        var lastDurationSeconds = 0.0
        var series = 0
        var runs: UInt64 = 0
        var failures: [String: UInt64] = [:]
        var skipped: [String: UInt64] = [:]
        var failing: Set<String> = []
        var lastSuccessUnixNano: UInt64?
    }

    private struct HTTPKey: Hashable {
        var handler: String
        var code: Int
    }

    private struct State {
        var collectors: [String: CollectorState] = [:]
        var httpRequests: [HTTPKey: UInt64] = [:]
        var httpServer = HTTPServerCounts()
    }

    /// The HTTP server's connections and what it refused (`HTTPServerEvent`).
    private struct HTTPServerCounts {
        var open = 0
        var rejectedConnections: UInt64 = 0
        var timeouts: [String: UInt64] = [:]
        var rejectedRequests: [String: UInt64] = [:]
    }

    private let state = Mutex(State())
    private let exporters = Mutex<[OTLPExporter]>([])
    private let kubeStates = Mutex<[KubeStateSource]>([])
    private let eventForwarders = Mutex<[EventForwarder]>([])
    private let electors = Mutex<[LeaderElector]>([])
    private let apps = Mutex<[AppMetricsService]>([])
    private let startUnixNano: UInt64
    private let version: String

    init(version: String, startUnixNano: UInt64) {
        self.version = version
        self.startUnixNano = startUnixNano
    }

    @discardableResult
    func recordCollection(collector: String, duration: Duration, result: CollectionResult) -> FailureChange {
        let failedNow = Set(result.failures.map(\.subsystem))
        let now = WallClock.nowUnixNano()
        // Counted before the lock: a source that renders from rows counts by visiting them.
        let series = result.seriesCount
        return state.withLock { state in
            var entry = state.collectors[collector] ?? CollectorState()
            entry.lastDurationSeconds = duration / .seconds(1)
            entry.series = series
            entry.runs += 1
            for failure in result.failures {
                entry.failures[failure.subsystem, default: 0] += 1
            }
            for (reason, count) in result.skipped {
                entry.skipped[reason, default: 0] += UInt64(count)
            }
            if failedNow.isEmpty { entry.lastSuccessUnixNano = now }
            let change = FailureChange(
                newlyFailing: failedNow.subtracting(entry.failing),
                recovered: entry.failing.subtracting(failedNow))
            entry.failing = failedNow
            state.collectors[collector] = entry
            return change
        }
    }

    /// Includes the Kubernetes watches' list/watch counters in the self-metrics.
    func attach(_ source: KubeStateSource) {
        kubeStates.withLock { $0.append(source) }
    }

    /// Includes the event stream's counters (`telegen_events_*`) in the self-metrics.
    func attach(_ forwarder: EventForwarder) {
        eventForwarders.withLock { $0.append(forwarder) }
    }

    /// Includes leader election's state and counters (`telegen_leader*`).
    func attach(_ elector: LeaderElector) {
        electors.withLock { $0.append(elector) }
    }

    /// Includes application metrics' targets and scrapes (`telegen_app_*`).
    func attach(_ service: AppMetricsService) {
        apps.withLock { $0.append(service) }
    }

    /// Includes the exporter's delivery counters in the self-metrics.
    func attach(_ exporter: OTLPExporter) {
        exporters.withLock { $0.append(exporter) }
    }

    func recordHTTPRequest(handler: String, code: Int) {
        state.withLock { $0.httpRequests[HTTPKey(handler: handler, code: code), default: 0] += 1 }
    }

    func record(_ event: HTTPServerEvent) {
        state.withLock { state in
            switch event {
            case .connectionOpened: state.httpServer.open += 1
            case .connectionClosed: state.httpServer.open -= 1
            case .connectionRejected: state.httpServer.rejectedConnections += 1
            case .timedOut(let timeout): state.httpServer.timeouts[timeout.rawValue, default: 0] += 1
            case .requestRejected(let reason): state.httpServer.rejectedRequests[reason.rawValue, default: 0] += 1
            }
        }
    }

    func families() -> [MetricFamily] {
        let snapshot = state.withLock { $0 }
        let start = startUnixNano
        let collectorNames = snapshot.collectors.keys.sorted()
        let collectorLabel = ["collector"]

        var families: [MetricFamily] = []
        families.append(MetricFamily(
            name: "telegen_build_info",
            help: "A metric with a constant '1' value labeled by the version of Telegen and the Swift compiler that built it.",
            type: .gauge,
            series: [Series(labels: LabelSet(names: ["version", "swift_version"], values: [version, BuildInfo.swiftVersion]), value: 1)]))
        families.append(MetricFamily(
            name: "telegen_collector_last_duration_seconds",
            help: "Wall time of the collector's last collection cycle.",
            type: .gauge, unit: "s",
            series: collectorNames.map { Series(labels: LabelSet(names: collectorLabel, values: [$0]), value: snapshot.collectors[$0]!.lastDurationSeconds) }))
        families.append(MetricFamily(
            name: "telegen_collector_series",
            help: "Series the collector produced in its last cycle.",
            type: .gauge, unit: "{series}",
            series: collectorNames.map { Series(labels: LabelSet(names: collectorLabel, values: [$0]), value: Double(snapshot.collectors[$0]!.series)) }))
        families.append(MetricFamily(
            name: "telegen_collector_runs_total",
            help: "Collection cycles the collector has completed.",
            type: .counter, unit: "{run}",
            series: collectorNames.map { Series(labels: LabelSet(names: collectorLabel, values: [$0]), value: Double(snapshot.collectors[$0]!.runs), startTimeUnixNano: start) }))
        let errorLabels = ["collector", "subsystem"]
        families.append(MetricFamily(
            name: "telegen_collector_errors_total",
            help: "Collection failures by collector and the part that failed; each failure costs that part's series for one cycle.",
            type: .counter, unit: "{error}",
            series: collectorNames.flatMap { name in
                snapshot.collectors[name]!.failures.keys.sorted().map { subsystem in
                    Series(labels: LabelSet(names: errorLabels, values: [name, subsystem]),
                           value: Double(snapshot.collectors[name]!.failures[subsystem]!), startTimeUnixNano: start)
                }
            }))
        let skipLabels = ["collector", "reason"]
        families.append(MetricFamily(
            name: "telegen_collector_skipped_objects_total",
            help: "Objects (cgroups, API objects) left out of a cycle, by reason: vanished (removed while read), unreadable, malformed.",
            type: .counter, unit: "{object}",
            series: collectorNames.flatMap { name in
                snapshot.collectors[name]!.skipped.keys.sorted().map { reason in
                    Series(labels: LabelSet(names: skipLabels, values: [name, reason]),
                           value: Double(snapshot.collectors[name]!.skipped[reason]!), startTimeUnixNano: start)
                }
            }))
        families.append(MetricFamily(
            name: "telegen_collector_last_success_timestamp_seconds",
            help: "When the collector last completed a cycle without any failure.",
            type: .gauge, unit: "s",
            series: collectorNames.compactMap { name in
                snapshot.collectors[name]!.lastSuccessUnixNano.map {
                    Series(labels: LabelSet(names: collectorLabel, values: [name]), value: Double($0) / 1e9)
                }
            }))
        let httpLabels = ["handler", "code"]
        families.append(MetricFamily(
            name: "telegen_http_requests_total",
            help: "HTTP requests served, by handler and status code.",
            type: .counter, unit: "{request}",
            series: snapshot.httpRequests.keys.sorted { ($0.handler, $0.code) < ($1.handler, $1.code) }.map { key in
                Series(labels: LabelSet(names: httpLabels, values: [key.handler, String(key.code)]),
                       value: Double(snapshot.httpRequests[key]!), startTimeUnixNano: start)
            }))
        families += httpServerFamilies(snapshot.httpServer, start: start)
        families += exporterFamilies(start: start)
        families += kubernetesFamilies(start: start)
        families += eventFamilies(start: start)
        families += leaderFamilies(start: start)
        families += appFamilies(start: start)
        return families
    }

    /// `telegen_http_connections*` and `telegen_http_requests_rejected_total`: the HTTP
    /// server's limits at work (docs/configuration.md, `kube_metrics.server`).
    private func httpServerFamilies(_ counts: HTTPServerCounts, start: UInt64) -> [MetricFamily] {
        [
            MetricFamily(
                name: "telegen_http_connections",
                help: "Open connections to the HTTP endpoint.",
                type: .gauge, unit: "{connection}",
                series: [Series(labels: .empty, value: Double(counts.open))]),
            MetricFamily(
                name: "telegen_http_connections_rejected_total",
                help: "Connections closed as soon as they were accepted because server.max_connections were open.",
                type: .counter, unit: "{connection}",
                series: [Series(labels: .empty, value: Double(counts.rejectedConnections), startTimeUnixNano: start)]),
            MetricFamily(
                name: "telegen_http_connections_timed_out_total",
                help: "Connections closed by a timeout: read_header (a request's head did not arrive in time) or idle (nothing moved either way).",
                type: .counter, unit: "{connection}",
                series: HTTPServerEvent.Timeout.allCases.map { timeout in
                    Series(labels: LabelSet(names: ["timeout"], values: [timeout.rawValue]),
                           value: Double(counts.timeouts[timeout.rawValue] ?? 0), startTimeUnixNano: start)
                }),
            MetricFamily(
                name: "telegen_http_requests_rejected_total",
                help: "Requests refused before reaching a handler: header_too_large (431), body (413: no endpoint takes one) or malformed (400); the connection is closed.",
                type: .counter, unit: "{request}",
                series: HTTPServerEvent.RejectedRequest.allCases.map { reason in
                    Series(labels: LabelSet(names: ["reason"], values: [reason.rawValue]),
                           value: Double(counts.rejectedRequests[reason.rawValue] ?? 0), startTimeUnixNano: start)
                }),
        ]
    }

    /// `telegen_app_*`: application metrics' targets and scrapes (docs/apps.md, "Self-metrics").
    private func appFamilies(start: UInt64) -> [MetricFamily] {
        guard let service = apps.withLock({ $0.first }) else { return [] }
        let targets = service.manager.targets
        let statistics = service.manager.statistics.snapshot
        let skipped = targets.skipped
        let state = ["state"]
        func counter(_ name: String, _ help: String, unit: String, labels: [String] = [], _ values: [([String], Double)]) -> MetricFamily {
            MetricFamily(name: name, help: help, type: .counter, unit: unit,
                         series: values.map { Series(labels: LabelSet(names: labels, values: $0.0), value: $0.1, startTimeUnixNano: start) })
        }
        return [
            MetricFamily(name: "telegen_app_targets", help: "Scrape targets of this node's annotated pods (discovered), and annotated pods left out (skipped: no usable port or scheme).",
                         type: .gauge, unit: "{target}",
                         series: [Series(labels: LabelSet(names: state, values: ["discovered"]), value: Double(targets.targets.count)),
                                  Series(labels: LabelSet(names: state, values: ["skipped"]), value: Double(skipped.values.reduce(0, +)))]),
            counter("telegen_app_scrapes_total", "Scrapes of application targets, by result.", unit: "{scrape}", labels: ["result"],
                    [(["success"], Double(statistics.successes)), (["failure"], Double(statistics.failures))]),
            counter("telegen_app_scrape_failures_total", "Failed scrapes by reason (refused, timeout, http_status, body_too_large, sample_limit, series_limit, parse:<reason>, ...).",
                    unit: "{scrape}", labels: ["reason"], statistics.failureReasons.keys.sorted().map { ([$0], Double(statistics.failureReasons[$0]!)) }),
            MetricFamily(name: "telegen_app_samples", help: "Samples of every live target's latest successful scrape, summed.", type: .gauge, unit: "{sample}",
                         series: [Series(labels: LabelSet(names: [], values: []), value: Double(statistics.samples))]),
            counter("telegen_app_scrape_duration_seconds_total", "Wall time spent scraping application targets, summed over every scrape.", unit: "s",
                    [([], statistics.durationSeconds)]),
        ]
    }

    /// `telegen_leader*`: whether this replica holds the Lease, and how the election went.
    private func leaderFamilies(start: UInt64) -> [MetricFamily] {
        electors.withLock { $0 }.flatMap { elector -> [MetricFamily] in
            let statistics = elector.statistics
            let labels = LabelSet(names: ["lease"], values: [elector.leaseName])
            func counter(_ name: String, _ help: String, _ value: Int) -> MetricFamily {
                MetricFamily(name: name, help: help, type: .counter,
                             series: [Series(labels: labels, value: Double(value), startTimeUnixNano: start)])
            }
            return [
                MetricFamily(name: "telegen_leader", help: "1 while this replica holds the Lease and serves the cluster-wide kinds and events.",
                             type: .gauge, series: [Series(labels: labels, value: elector.isLeading ? 1 : 0)]),
                counter("telegen_leader_transitions_total", "Times this replica started or stopped leading.", statistics.transitions),
                counter("telegen_leader_renew_failures_total", "Lease renewals that failed while leading.", statistics.renewFailures),
                counter("telegen_leader_conflicts_total", "Lease writes that lost a race with another replica (409).", statistics.conflicts),
                counter("telegen_leader_request_failures_total", "Lease reads and writes that failed (unreachable, forbidden, server error).",
                        statistics.requestFailures),
            ]
        }
    }

    /// `telegen_events_*`: what the event stream received, emitted and left out, and
    /// how far its checkpoint is.
    private func eventFamilies(start: UInt64) -> [MetricFamily] {
        guard let forwarder = eventForwarders.withLock({ $0.first }) else { return [] }
        let statistics = forwarder.statistics
        let streams = forwarder.streams
        let now = WallClock.nowUnixNano()
        func counter(_ name: String, _ help: String, _ value: Int) -> MetricFamily {
            MetricFamily(name: name, help: help, type: .counter, unit: "{event}",
                         series: [Series(value: Double(value), startTimeUnixNano: start)])
        }
        func perStream(_ name: String, _ help: String, type: MetricType, unit: String = "", _ value: (String, Reflector.Statistics) -> Double?) -> MetricFamily {
            MetricFamily(name: name, help: help, type: type, unit: unit, series: streams.compactMap { stream in
                value(stream.key, stream.reflector).map {
                    Series(labels: LabelSet(names: ["stream"], values: [stream.key]), value: $0, startTimeUnixNano: type == .counter ? start : nil)
                }
            })
        }
        let checkpoints = forwarder.checkpoint.resourceVersions
        let written = forwarder.checkpointWrittenUnixNano
        let lag = statistics.lastOccurrenceUnixNano > 0 && statistics.lastObservedUnixNano >= statistics.lastOccurrenceUnixNano
            ? Double(statistics.lastObservedUnixNano - statistics.lastOccurrenceUnixNano) / 1e9 : 0
        return [
            MetricFamily(name: "telegen_events_received_total", help: "Event notifications received, by type (LISTED: items of a relist after a 410).",
                         type: .counter, unit: "{event}", series: statistics.received.keys.sorted().map { type in
                             Series(labels: LabelSet(names: ["type"], values: [type]), value: Double(statistics.received[type]!), startTimeUnixNano: start)
                         }),
            counter("telegen_events_emitted_total", "Event occurrences turned into log records and handed to the exporter.", statistics.emitted),
            counter("telegen_events_deduplicated_total", "Notifications that added no occurrence (same count, replayed, or already sent).", statistics.deduplicated),
            counter("telegen_events_filtered_total", "Events left out by types, involved_kinds, namespaces_exclude or reasons_exclude.", statistics.filtered),
            counter("telegen_events_rate_limited_total", "Event records dropped by rate_limit.", statistics.rateLimited),
            counter("telegen_events_relisted_total", "Event records emitted from a relist after the checkpoint expired (410).", statistics.relisted),
            perStream("telegen_events_expired_total", "410 Gone answers to the event watch (a relist followed).", type: .counter) { Double($1.expired) },
            perStream("telegen_events_stream_connected", "1 while the stream's list and watch succeed.", type: .gauge) { _, reflector in
                reflector.synced && !reflector.failing ? 1 : 0
            },
            perStream("telegen_events_checkpoint_resource_version", "The resourceVersion up to which events are delivered (the checkpoint).", type: .gauge) { key, _ in
                checkpoints[key].flatMap(Double.init)
            },
            MetricFamily(name: "telegen_events_checkpoint_age_seconds", help: "Time since the checkpoint file was last written.",
                         type: .gauge, unit: "s", series: written == 0 ? [] : [Series(value: Double(now &- min(written, now)) / 1e9)]),
            MetricFamily(name: "telegen_events_tracked", help: "Events the deduplication state tracks (count and age bounded).",
                         type: .gauge, unit: "{event}", series: [Series(value: Double(statistics.tracked))]),
            MetricFamily(name: "telegen_events_lag_seconds", help: "Time from the last emitted occurrence to when Telegen saw it.",
                         type: .gauge, unit: "s", series: [Series(value: lag)]),
        ]
    }

    /// `telegen_kube_*`: what the reflectors did, per resource (summed over its watched namespaces).
    private func kubernetesFamilies(start: UInt64) -> [MetricFamily] {
        let sources = kubeStates.withLock { $0 }
        let resources = sources.flatMap(\.statistics)
        guard !resources.isEmpty else { return [] }
        // As kube-state-metrics' kube_state_metrics_shard_ordinal / _total_shards; a total
        // of 0 means `total_shards: auto` has not read the StatefulSet yet.
        let shards = sources.compactMap { $0.shards?.assignment }.map { assignment in
            [MetricFamily(name: "telegen_kube_shard_ordinal", help: "This replica's kube-state shard.", type: .gauge, unit: "",
                          series: [Series(labels: .empty, value: Double(assignment.shard))]),
             MetricFamily(name: "telegen_kube_total_shards", help: "The number of kube-state shards.", type: .gauge, unit: "",
                          series: [Series(labels: .empty, value: Double(assignment.total))])]
        }.first ?? []
        let labels = ["resource"]
        func counter(_ name: String, _ help: String, _ value: (Reflector.Statistics) -> Int) -> MetricFamily {
            MetricFamily(name: name, help: help, type: .counter, unit: "1", series: resources.map { resource in
                Series(labels: LabelSet(names: labels, values: [resource.resource]),
                       value: Double(resource.reflectors.reduce(0) { $0 + value($1) }), startTimeUnixNano: start)
            })
        }
        func gauge(_ name: String, _ help: String, unit: String = "", _ value: ((resource: String, reflectors: [Reflector.Statistics], objects: Int)) -> Double) -> MetricFamily {
            MetricFamily(name: name, help: help, type: .gauge, unit: unit, series: resources.map { resource in
                Series(labels: LabelSet(names: labels, values: [resource.resource]), value: value(resource))
            })
        }
        return [
            counter("telegen_kube_list_calls_total", "Full (paginated) LISTs of a resource.", \.listCalls),
            counter("telegen_kube_list_pages_total", "LIST pages received.", \.listPages),
            counter("telegen_kube_watch_calls_total", "WATCH requests started (the first, and every resume).", \.watchCalls),
            counter("telegen_kube_watch_events_total", "ADDED, MODIFIED and DELETED events applied.", \.watchEvents),
            counter("telegen_kube_bookmarks_total", "BOOKMARK events received.", \.bookmarks),
            counter("telegen_kube_expired_total", "410 Gone answers (a relist followed).", \.expired),
            counter("telegen_kube_decode_errors_total", "Objects skipped because they did not decode.", \.decodeErrors),
            counter("telegen_kube_forbidden_total", "403 answers (RBAC forbids the resource).", \.forbidden),
            counter("telegen_kube_unauthorized_total", "401 answers (the token was re-read).", \.unauthorized),
            counter("telegen_kube_errors_total", "Other failed LIST or WATCH calls (retried with backoff).", \.otherErrors),
            counter("telegen_kube_relist_deletions_total", "Objects a relist found deleted while no watch was open.", \.reconciledDeletions),
            counter("telegen_kube_oversized_total", "LIST items and watch events refused for passing their size limit.", \.oversized),
            gauge("telegen_kube_objects", "Objects held per resource.", unit: "{object}") { Double($0.objects) },
            gauge("telegen_kube_synced", "1 once every watch of the resource has completed its first list.") {
                $0.reflectors.allSatisfy(\.synced) ? 1 : 0
            },
            gauge("telegen_kube_failing", "1 while the last LIST or WATCH of the resource failed (forbidden, unreachable, rejected).") {
                $0.reflectors.contains(where: \.failing) ? 1 : 0
            },
            counter("telegen_kube_dead_watches_total", "Watches that received nothing for their timeoutSeconds + margin (ended and resumed).", \.deadWatches),
            gauge("telegen_kube_watch_connected", "1 while every watch of the resource is open (its 200 answer arrived, it has not ended).") {
                $0.reflectors.allSatisfy(\.watching) ? 1 : 0
            },
            gauge("telegen_kube_silent_seconds", "Time since the API server was last heard from about the resource (a list, a watch event or bookmark, a watch it ended); the longest of its watches.",
                  unit: "s") {
                $0.reflectors.map { $0.silentFor / .seconds(1) }.max() ?? 0
            },
            gauge("telegen_kube_stale", "1 while the resource has been silent longer than the staleness threshold (four minimum watch timeouts): what it serves may be out of date.") {
                $0.reflectors.contains(where: \.stale) ? 1 : 0
            },
        ] + shards
    }

    /// `telegen_exporter_*`: every item sent, failed, dropped or rejected, and every retry.
    private func exporterFamilies(start: UInt64) -> [MetricFamily] {
        let statistics = exporters.withLock { $0.map(\.statistics) }
        guard !statistics.isEmpty else { return [] }
        var signals: [OTLPSignal: ExporterStatistics.Signal] = [:]
        for entry in statistics {
            for (signal, value) in entry.signals {
                var total = signals[signal] ?? ExporterStatistics.Signal()
                total.sentItems += value.sentItems
                total.failedItems += value.failedItems
                total.rejectedItems += value.rejectedItems
                total.retries += value.retries
                total.droppedItems.merge(value.droppedItems, uniquingKeysWith: +)
                total.requests.merge(value.requests, uniquingKeysWith: +)
                signals[signal] = total
            }
        }
        let ordered = OTLPSignal.allCases.filter { signals[$0] != nil }
        let signalLabel = ["signal"]
        func counter(_ name: String, _ help: String, _ value: (ExporterStatistics.Signal) -> Int) -> MetricFamily {
            MetricFamily(name: name, help: help, type: .counter, unit: "{item}", series: ordered.map {
                Series(labels: LabelSet(names: signalLabel, values: [$0.rawValue]), value: Double(value(signals[$0]!)), startTimeUnixNano: start)
            })
        }
        let reasonLabels = ["signal", "reason"]
        let statusLabels = ["signal", "status"]
        return [
            counter("telegen_exporter_sent_points_total", "Data points and log records the OTLP backend accepted.", \.sentItems),
            counter("telegen_exporter_failed_points_total", "Data points and log records given up after a permanent error or exhausted retries.", \.failedItems),
            counter("telegen_exporter_rejected_points_total", "Data points and log records the backend rejected in a partial success.", \.rejectedItems),
            MetricFamily(name: "telegen_exporter_dropped_points_total",
                         help: "Data points and log records thrown away unsent, by reason (queue_full, oversized, shutdown).",
                         type: .counter, unit: "{item}", series: ordered.flatMap { signal in
                             signals[signal]!.droppedItems.keys.sorted().map { reason in
                                 Series(labels: LabelSet(names: reasonLabels, values: [signal.rawValue, reason]),
                                        value: Double(signals[signal]!.droppedItems[reason]!), startTimeUnixNano: start)
                             }
                         }),
            MetricFamily(name: "telegen_exporter_retries_total", help: "Export calls retried after a transient failure.",
                         type: .counter, unit: "{retry}", series: ordered.map {
                             Series(labels: LabelSet(names: signalLabel, values: [$0.rawValue]), value: Double(signals[$0]!.retries), startTimeUnixNano: start)
                         }),
            MetricFamily(name: "telegen_exporter_requests_total", help: "Export requests by outcome: gRPC status, HTTP status code, or timeout / connection_error (OTLP/HTTP, no response).",
                         type: .counter, unit: "{request}", series: ordered.flatMap { signal in
                             signals[signal]!.requests.keys.sorted().map { status in
                                 Series(labels: LabelSet(names: statusLabels, values: [signal.rawValue, status]),
                                        value: Double(signals[signal]!.requests[status]!), startTimeUnixNano: start)
                             }
                         }),
            MetricFamily(name: "telegen_exporter_queue_bytes", help: "Bytes of export requests waiting to be sent.",
                         type: .gauge, unit: "By", series: [Series(value: Double(statistics.reduce(0) { $0 + $1.queueBytes }))]),
            MetricFamily(name: "telegen_exporter_queue_batches", help: "Export requests waiting to be sent.",
                         type: .gauge, unit: "{batch}", series: [Series(value: Double(statistics.reduce(0) { $0 + $1.queueBatches }))]),
        ]
    }
}
