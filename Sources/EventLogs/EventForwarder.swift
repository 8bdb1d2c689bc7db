import HTTP2Transport
import KubeWatch
import Logging
import Synchronization
import TelemetryModel

/// Kubernetes events as OTLP log records, each occurrence once across restarts:
/// watches core/v1 events (cluster-wide, or one stream per namespace in
/// `namespaces`), turns every new occurrence into a record (`EventIntake`), ships the
/// records every `flushInterval`, and keeps a checkpoint per stream of what the
/// exporter has acknowledged, written atomically to `checkpointPath` every
/// `checkpointInterval` and on shutdown.
///
/// A start with a checkpoint taken under the same filters resumes each stream's watch
/// from it; if the API server no longer has that history (410), the stream lists every
/// event and emits those newer than the checkpoint that were not already sent. Without
/// a checkpoint a stream starts from now: a one-item list for the current version,
/// never a replay of the last hour.
public final class EventForwarder: Sendable {
    public struct Configuration: Sendable {
        /// One stream per namespace; empty: one cluster-wide stream.
        public var namespaces: [String] = []
        public var filter = EventFilter()
        public var mapping = EventRecordMapping()
        /// Records per second, the excess dropped and counted.
        public var rateLimit: Double = 500
        /// Nil: no checkpoint (every start is from now).
        public var checkpointPath: String?
        /// How long a record waits for others to share its request (as the Collector's
        /// batch processor's 200 ms timeout): the bulk of the end-to-end latency.
        public var flushInterval: Duration = .milliseconds(250)
        public var checkpointInterval: Duration = .seconds(2)
        /// How long shutdown waits for the exporter to acknowledge the last records.
        public var shutdownGrace: Duration = .seconds(5)
        public var pageSize = 500
        public var minimumWatchTimeout: Duration = .seconds(240)
        public var userAgent = "telegen"

        public init() {}

        /// The stream keys and what they select: `all`, or `ns/<namespace>`.
        var streams: [(key: String, namespace: String?)] {
            namespaces.isEmpty ? [("all", nil)] : namespaces.sorted().map { ("ns/\($0)", $0) }
        }

        /// Names what the streams select; a checkpoint taken under another is not resumed.
        var fingerprint: String {
            let text = "core/v1 events;" + streams.map(\.key).joined(separator: ",") + ";" + filter.fingerprint
            let digits = String(FNV1a.hash(text), radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
    }

    private let configuration: Configuration
    private let intake: EventIntake
    private let shipper: any EventRecordShipping
    private let client: HTTP2Client
    private let token: BearerToken
    /// The current run's watches, one per stream.
    private let reflectors = Mutex<[Reflector]>([])
    /// Whether a run has opened its streams and not given them up: only then is the
    /// checkpoint this replica's to publish (on the Lease).
    private let streamsOpen = Mutex(false)
    private let file: CheckpointFile?
    private let logger: Logger
    /// The highest ticket the shipper has given.
    private let lastTicket = Mutex<UInt64>(0)
    private let lastWritten = Mutex<(checkpoint: EventCheckpoint?, at: ContinuousClock.Instant?, unixNano: UInt64)>((nil, nil, 0))
    /// Set while writes fail, so that a failing disk is logged when it starts and ends,
    /// not every interval (the checkpoint's age shows it meanwhile).
    private let writeFailing = Mutex(false)

    public init(client: HTTP2Client, token: BearerToken, configuration: Configuration, shipper: any EventRecordShipping,
                logger: Logger) {
        self.configuration = configuration
        self.shipper = shipper
        self.client = client
        self.token = token
        self.logger = logger
        intake = EventIntake(filter: configuration.filter, mapping: configuration.mapping, rateLimit: configuration.rateLimit)
        file = configuration.checkpointPath.flatMap { $0.isEmpty ? nil : CheckpointFile(path: $0) }
    }

    public var statistics: EventStatistics { intake.statistics }

    /// Per stream: its reflector's statistics (connected, 410s, lists) in the current run.
    public var streams: [(key: String, reflector: Reflector.Statistics)] {
        zip(configuration.streams, reflectors.withLock { $0 }).map { ($0.0.key, $0.1.statistics) }
    }

    /// When the checkpoint file was last written (Unix nanoseconds; 0: not yet).
    public var checkpointWrittenUnixNano: UInt64 { lastWritten.withLock { $0.unixNano } }

    /// The checkpoint as it stands (what the last write stored, or would store).
    public var checkpoint: EventCheckpoint {
        EventCheckpoint(configuration: configuration.fingerprint, resourceVersions: intake.checkpoints, updated: Self.unixSeconds())
    }

    /// The checkpoint while a run's streams are open (and after a run that ended in
    /// an orderly way), else nil: before a leader's streams are open, or after it lost
    /// the Lease, it has no position to publish.
    public var publishableCheckpoint: EventCheckpoint? {
        streamsOpen.withLock { $0 } ? checkpoint : nil
    }

    /// Where to resume: `lease` (the checkpoint on the Lease, taken by the last holder),
    /// unless the local file, under the same filters, is further along; neither under
    /// these filters: from now.
    func resumePoint(lease: EventCheckpoint?) -> EventCheckpoint? {
        let fingerprint = configuration.fingerprint
        let stored = file?.load()
        let candidates = [lease, stored].compactMap { $0 }.filter { $0.configuration == fingerprint }
        if candidates.isEmpty, lease != nil || stored != nil {
            logger.info("the event checkpoint was taken with other filters; starting from now",
                        metadata: ["checkpoint": "\(lease != nil ? "lease" : file?.path ?? "")"])
        }
        guard candidates.count == 2 else { return candidates.first }
        return EventCheckpoint.isFurther(candidates[1], than: candidates[0]) ? candidates[1] : candidates[0]
    }

    /// Watches and ships until cancelled, resuming from `lease` or the checkpoint file
    /// (`resumePoint`). Then, when `abandoned()` says the right to send has ended
    /// (leadership lost), gives up what is not acknowledged and records the
    /// checkpoint in the file only; otherwise ships what is left, waits up to
    /// `shutdownGrace` for its acknowledgement and writes the checkpoint. Runs one at a
    /// time; may run again after it returns (the next leadership term).
    public func run(resumingFrom lease: EventCheckpoint? = nil, abandoned: @escaping @Sendable () -> Bool = { false }) async {
        let resumed = resumePoint(lease: lease)
        var reflectors: [Reflector] = []
        for (key, namespace) in configuration.streams {
            let version = resumed?.resourceVersions[key] ?? ""
            intake.open(stream: key, resumingFrom: version)
            var reflectorConfiguration = Reflector.Configuration(request: ListWatchRequest(
                resource: .events, mode: .list(limit: configuration.pageSize, continueToken: nil), namespace: namespace,
                fieldSelector: configuration.filter.fieldSelector))
            reflectorConfiguration.start = version.isEmpty ? .now : .resume(resourceVersion: version)
            reflectorConfiguration.pageSize = configuration.pageSize
            reflectorConfiguration.minimumWatchTimeout = configuration.minimumWatchTimeout
            reflectorConfiguration.userAgent = configuration.userAgent
            var scoped = logger
            scoped[metadataKey: "stream"] = "\(key)"
            reflectors.append(Reflector(client: client, token: token, configuration: reflectorConfiguration,
                                        sink: EventStreamSink(stream: key, intake: intake), logger: scoped))
            logger.info(version.isEmpty ? "event stream starts from now" : "event stream resumes from its checkpoint",
                        metadata: ["stream": "\(key)", "resourceVersion": "\(version)"])
        }
        self.reflectors.withLock { $0 = reflectors }
        streamsOpen.withLock { $0 = true }
        await withTaskGroup(of: Void.self) { group in
            for reflector in reflectors {
                group.addTask { await reflector.run() }
            }
            group.addTask { await self.shipUntilCancelled() }
        }
        // Not cancelled itself, so that the last records still go out.
        if abandoned() {
            await Task { await self.abandon() }.value
        } else {
            await Task { await self.finish() }.value
        }
    }

    private func shipUntilCancelled() async {
        var lastExpiry = ContinuousClock.now
        while !Task.isCancelled {
            try? await Task.sleep(for: configuration.flushInterval)
            await shipAndCheckpoint(force: false)
            if ContinuousClock.now - lastExpiry > .seconds(60) {
                intake.expire()
                lastExpiry = .now
            }
        }
    }

    /// The watches have stopped: the last records go out, delivery stops (so nothing is
    /// delivered that the checkpoint does not cover: that would be resent after the
    /// restart), and the checkpoint is written over what was acknowledged.
    private func finish() async {
        let deadline = ContinuousClock.now.advanced(by: configuration.shutdownGrace)
        _ = await ship()
        let ticket = lastTicket.withLock { $0 }
        while await shipper.acknowledged() < ticket && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        // What stop gives up is not acknowledged: it stays after the checkpoint and the
        // next start sends it.
        let acknowledged = await shipper.stop()
        await checkpoint(force: true, acknowledged: acknowledged)
    }

    /// The right to send ended: nothing more is shipped, what is not acknowledged is
    /// given up to the next holder, and the checkpoint over what was acknowledged goes
    /// to the file (the Lease is no longer this replica's to write).
    private func abandon() async {
        streamsOpen.withLock { $0 = false }
        let acknowledged = await shipper.abandon()
        await checkpoint(force: true, acknowledged: acknowledged)
        intake.abandon()
        logger.info("event stream stopped: no longer the leader")
    }

    /// Ships the outbox; returns the ticket of the last shipment (0 when nothing was ever shipped).
    private func ship() async -> UInt64 {
        let (records, batch) = intake.takeOutbox()
        guard !records.isEmpty else { return 0 }
        let ticket = await shipper.ship(records)
        intake.shipped(batch: batch, ticket: ticket)
        lastTicket.withLock { $0 = max($0, ticket) }
        return ticket
    }

    /// Ships the outbox, moves the checkpoints over what is acknowledged, and writes
    /// them when they changed and the last write is `checkpointInterval` old (`force`:
    /// now, as at shutdown).
    private func shipAndCheckpoint(force: Bool) async {
        _ = await ship()
        await checkpoint(force: force)
    }

    private func checkpoint(force: Bool, acknowledged: UInt64? = nil) async {
        let through = if let acknowledged { acknowledged } else { await shipper.acknowledged() }
        _ = intake.acknowledge(through: through)
        guard let file else { return }
        let checkpoint = self.checkpoint
        let due = lastWritten.withLock { last -> Bool in
            guard last.checkpoint?.resourceVersions != checkpoint.resourceVersions else { return force && last.checkpoint == nil }
            return force || last.at.map { ContinuousClock.now - $0 >= configuration.checkpointInterval } ?? true
        }
        guard due else { return }
        do {
            try file.store(checkpoint)
            lastWritten.withLock { $0 = (checkpoint, .now, WallClock.nowUnixNano()) }
            let recovered = writeFailing.withLock { failing in
                defer { failing = false }
                return failing
            }
            if recovered {
                logger.info("the event checkpoint is written again", metadata: ["file": "\(file.path)"])
            }
        } catch {
            // Retried at the checkpoint interval, not at every shipment.
            lastWritten.withLock { $0.at = .now }
            let alreadyFailing = writeFailing.withLock { failing in
                defer { failing = true }
                return failing
            }
            if !alreadyFailing {
                logger.warning("cannot write the event checkpoint; a restart may resend recent events",
                               metadata: ["file": "\(file.path)", "error": "\(error)"])
            }
        }
    }

    static func unixSeconds() -> Int64 {
        Int64(WallClock.nowUnixNano() / 1_000_000_000)
    }
}
