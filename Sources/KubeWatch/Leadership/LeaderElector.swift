import Logging
import Synchronization
import TelemetryModel

/// Lease leader election with client-go's semantics (tools/leaderelection):
///
/// - mutual exclusion comes only from optimistic concurrency: every update names the
///   resourceVersion last read, and a 409 means another candidate wrote first;
/// - a follower takes the Lease over when it is released (empty holder) or when it has
///   not seen it change for the holder's `leaseDurationSeconds`, measured on its own
///   monotonic clock from when it saw the change: `renewTime` written by another node's
///   clock is never compared with this one;
/// - the holder renews every `retryPeriod` (a PUT on the resourceVersion of its last
///   write; a GET first only after a conflict) and stops leading once `renewDeadline`
///   has passed since the start of its last successful renewal. That is stricter than
///   client-go (which may take `retryPeriod` longer), so the holder has stopped at
///   least `leaseDuration − renewDeadline` before any follower can consider the Lease
///   expired;
/// - on cancellation a holder releases the Lease (empty holder, duration 1 s), so the
///   next candidate takes it at its next read instead of waiting out the duration.
///
/// Nothing here fences the work: whoever acts on leadership subscribes to `changes()`
/// and stops on `.stopped` on its own. `annotator` is asked before every write for
/// annotations to carry on the Lease (the event checkpoint), so they travel with it.
public final class LeaderElector: Sendable {
    /// What this replica's role became.
    public enum Change: Sendable, Equatable {
        /// Now the holder; the Lease as just written (its annotations included).
        case started(LeaseRecord)
        case stopped
    }

    /// What the election has done, for the agent's own metrics.
    public struct Statistics: Sendable, Equatable {
        public var leading = false
        /// Times this replica started or stopped leading.
        public var transitions = 0
        /// Renewal attempts that failed while leading.
        public var renewFailures = 0
        /// 409s: a write lost a race with another candidate.
        public var conflicts = 0
        /// Attempts to read or write the Lease that failed (unreachable, 403, 5xx).
        public var requestFailures = 0
        /// The holder as last seen ("" when released or not yet read).
        public var holder = ""
    }

    private struct State {
        /// The Lease as last read or written, and when (monotonic) it was seen to change.
        var observed: LeaseRecord?
        var observedAt: ContinuousClock.Instant?
        /// Start of the last successful write while leading.
        var renewedAt: ContinuousClock.Instant?
        var statistics = Statistics()
        var subscribers: [Int: AsyncStream<Change>.Continuation] = [:]
        var nextSubscriber = 0
        var annotator: (@Sendable () -> [KeyValue])?
        /// Set from a failed request to the next success, so an outage is logged once.
        var failing = false
    }

    public let settings: LeaderElectionSettings
    private let client: LeaseClient
    private let logger: Logger
    private let state = Mutex(State())

    public init(client: LeaseClient, settings: LeaderElectionSettings, logger: Logger) {
        self.client = client
        self.settings = settings
        var scoped = logger
        scoped[metadataKey: "lease"] = "\(settings.namespace)/\(settings.name)"
        self.logger = scoped
    }

    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// `namespace/name`.
    public var leaseName: String { "\(settings.namespace)/\(settings.name)" }

    /// Whether this replica leads now, and has renewed within `renewDeadline`.
    public var isLeading: Bool {
        state.withLock { state in
            guard state.statistics.leading, let renewed = state.renewedAt else { return false }
            return ContinuousClock.now - renewed < settings.renewDeadline
        }
    }

    /// Annotations to set on the Lease with each write while leading (nil or empty: none
    /// of ours; every annotation already there is kept).
    public func setAnnotator(_ annotator: @escaping @Sendable () -> [KeyValue]) {
        state.withLock { $0.annotator = annotator }
    }

    /// This replica's role changes from now on; `.started` first if it leads already.
    public func changes() -> AsyncStream<Change> {
        let (stream, continuation) = AsyncStream.makeStream(of: Change.self)
        let id = state.withLock { state in
            let id = state.nextSubscriber
            state.nextSubscriber += 1
            state.subscribers[id] = continuation
            if state.statistics.leading, let observed = state.observed { continuation.yield(.started(observed)) }
            return id
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Campaigns, leads and renews until cancelled; then releases the Lease if held and
    /// finishes every `changes()` stream.
    public func run() async {
        logger.info("leader election starts", metadata: ["identity": "\(settings.identity)"])
        // However long a request takes (a reconnect, a stalled peer), leadership ends at
        // the deadline: the watchdog does not wait for the attempt to return.
        let watchdog = Task { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: min(settings.retryPeriod / 4, .milliseconds(100)))
                let expired = state.withLock { $0.statistics.leading } && timeLeftToRenew() <= .zero
                if expired && !Task.isCancelled { stopLeading(reason: "could not renew within renew_deadline") }
            }
        }
        defer { watchdog.cancel() }
        while !Task.isCancelled {
            let leading = state.withLock { $0.statistics.leading }
            if leading {
                let remaining = timeLeftToRenew()
                guard remaining > .zero else {
                    stopLeading(reason: "could not renew within renew_deadline")
                    continue
                }
                let started = ContinuousClock.now
                if await attempt(timeout: min(settings.requestTimeout, remaining)) {
                    // Unless the watchdog ended the term meanwhile: then the next round
                    // starts a new one from this write (the Lease is still ours).
                    state.withLock { state in
                        if state.statistics.leading { state.renewedAt = started }
                    }
                    await pause(settings.retryPeriod)
                } else if let holder = otherHolder() {
                    // Someone else wrote themselves in: the Lease expired on their clock.
                    stopLeading(reason: "the lease is held by \(holder)")
                } else {
                    state.withLock { $0.statistics.renewFailures += 1 }
                    // Try again within what is left, and stop exactly at the deadline.
                    await pause(min(settings.retryPeriod, max(timeLeftToRenew(), .milliseconds(1))))
                }
            } else {
                let started = ContinuousClock.now
                if await attempt(timeout: settings.requestTimeout) {
                    startLeading(renewedAt: started)
                    await pause(settings.retryPeriod)
                } else {
                    await pause(settings.retryPeriod * (1 + Double.random(in: 0..<LeaderElectionSettings.jitterFactor)))
                }
            }
        }
        // The release runs in a task of its own: this one is cancelled (that is how a
        // shutdown arrives), and the HTTP/2 client ends a cancelled task's requests at once.
        await Task { await self.release() }.value
        let subscribers = state.withLock { state in
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.finish() }
    }

    private func timeLeftToRenew() -> Duration {
        state.withLock { state in
            guard let renewed = state.renewedAt else { return .zero }
            return renewed + settings.renewDeadline - ContinuousClock.now
        }
    }

    /// The holder last seen, when it is another replica.
    private func otherHolder() -> String? {
        state.withLock { state in
            guard let holder = state.observed?.holderIdentity, !holder.isEmpty, holder != settings.identity else { return nil }
            return holder
        }
    }

    private func pause(_ duration: Duration) async {
        try? await Task.sleep(for: duration)
    }

    // MARK: One attempt (client-go's tryAcquireOrRenew)

    /// Acquires or renews; true when this replica holds the Lease as of the write.
    private func attempt(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        func left() -> Duration { max(deadline - ContinuousClock.now, .milliseconds(1)) }
        let now = MicroTime(unixNanoseconds: Int64(clamping: WallClock.nowUnixNano()))
        let (leading, mine, annotator) = state.withLock { state in
            (state.statistics.leading, state.observed, state.annotator)
        }
        let annotations = leading ? annotator?() ?? [] : []

        /// `base` with this replica written in as holder, renewed now, with our annotations.
        func claimed(_ base: LeaseRecord) -> LeaseRecord {
            var record = base
            record.holderIdentity = settings.identity
            record.leaseDurationSeconds = settings.leaseSeconds
            record.renewTime = now
            for annotation in annotations { record.setAnnotation(annotation.key, annotation.value) }
            return record
        }

        // Fast path: the holder writes over its own last write without reading first;
        // after a conflict (or a deleted Lease) it reads and decides as anyone would.
        if leading, let mine {
            let outcome = await client.update(claimed(mine), timeout: left())
            switch outcome {
            case .lease, .failed:
                return accepted(outcome)
            case .conflict:
                state.withLock { $0.statistics.conflicts += 1 }
                logger.debug("lease renewal conflicted; reading it again")
            case .notFound:
                break
            }
        }

        switch await client.get(timeout: left()) {
        case .lease(let current):
            observe(current, wrote: false)
            let heldByOther = !current.holderIdentity.isEmpty && current.holderIdentity != settings.identity
            if heldByOther && !expired(current) { return false }
            var record = claimed(current)
            if current.holderIdentity != settings.identity {
                record.acquireTime = now
                record.leaseTransitions = current.leaseTransitions &+ 1
            }
            return accepted(await client.update(record, timeout: left()))
        case .notFound:
            var record = claimed(LeaseRecord(name: settings.name, namespace: settings.namespace))
            record.acquireTime = now
            return accepted(await client.create(record, timeout: left()), notFound: "POST lease: 404 (does the namespace exist?)")
        case .conflict:
            requestFailed("GET lease: 409")
            return false
        case .failed(let reason):
            requestFailed(reason)
            return false
        }
    }

    /// The outcome of a write: true when the Lease is now ours as written; a conflict
    /// is counted, a failure logged (`notFound`: what a 404 means here, if anything).
    private func accepted(_ outcome: LeaseClient.Outcome, notFound: String? = nil) -> Bool {
        switch outcome {
        case .lease(let written):
            observe(written, wrote: true)
            return true
        case .conflict:
            state.withLock { $0.statistics.conflicts += 1 }
            return false
        case .notFound:
            if let notFound { requestFailed(notFound) }
            return false
        case .failed(let reason):
            requestFailed(reason)
            return false
        }
    }

    /// Records what was read or written; a different resourceVersion is a change, seen now.
    private func observe(_ lease: LeaseRecord, wrote: Bool) {
        let holderChanged = state.withLock { state -> String? in
            let changed = state.observed?.resourceVersion != lease.resourceVersion
            let previousHolder = state.statistics.holder
            state.failing = false
            if changed || wrote {
                state.observed = lease
                state.observedAt = .now
            }
            state.statistics.holder = lease.holderIdentity
            return previousHolder != lease.holderIdentity ? lease.holderIdentity : nil
        }
        if let holder = holderChanged, holder != settings.identity {
            logger.info("lease holder", metadata: ["holder": "\(holder.isEmpty ? "(released)" : holder)"])
        }
    }

    /// Not changed for the duration its holder set, on this replica's clock.
    private func expired(_ lease: LeaseRecord) -> Bool {
        state.withLock { state in
            guard let seen = state.observedAt else { return false }
            let duration = Duration.seconds(max(lease.leaseDurationSeconds, 0))
            return ContinuousClock.now - seen >= duration
        }
    }

    private func requestFailed(_ reason: String) {
        let first = state.withLock { state in
            state.statistics.requestFailures += 1
            defer { state.failing = true }
            return !state.failing
        }
        if first {
            logger.warning("lease request failed", metadata: ["error": "\(reason)"])
        } else {
            logger.debug("lease request failed", metadata: ["error": "\(reason)"])
        }
    }

    // MARK: Role changes

    private func startLeading(renewedAt: ContinuousClock.Instant) {
        let (record, subscribers) = state.withLock { state in
            state.statistics.leading = true
            state.statistics.transitions += 1
            state.renewedAt = renewedAt
            return (state.observed, Array(state.subscribers.values))
        }
        logger.info("became leader", metadata: ["identity": "\(settings.identity)"])
        guard let record else { return }
        for subscriber in subscribers { subscriber.yield(.started(record)) }
    }

    private func stopLeading(reason: String) {
        let subscribers = state.withLock { state -> [AsyncStream<Change>.Continuation]? in
            guard state.statistics.leading else { return nil }
            state.statistics.leading = false
            state.statistics.transitions += 1
            state.renewedAt = nil
            return Array(state.subscribers.values)
        }
        guard let subscribers else { return }
        logger.warning("stopped leading", metadata: ["reason": "\(reason)"])
        for subscriber in subscribers { subscriber.yield(.stopped) }
    }

    /// Hands the Lease over: empty holder, duration 1 s, transitions unchanged, and the
    /// annotations as they stand (the final checkpoint). A conflict is read again and
    /// retried while this replica is still the holder, within `renewDeadline`.
    private func release() async {
        let held = state.withLock { $0.statistics.leading }
        guard held else { return }
        let annotations = state.withLock { $0.annotator }?() ?? []
        stopLeading(reason: "shutting down")
        let deadline = ContinuousClock.now + settings.renewDeadline
        var record = state.withLock { $0.observed }
        while var lease = record, ContinuousClock.now < deadline {
            guard lease.holderIdentity == settings.identity else { return }
            let now = MicroTime(unixNanoseconds: Int64(clamping: WallClock.nowUnixNano()))
            lease.holderIdentity = ""
            lease.leaseDurationSeconds = 1
            lease.acquireTime = now
            lease.renewTime = now
            for annotation in annotations { lease.setAnnotation(annotation.key, annotation.value) }
            let timeout = min(settings.requestTimeout, max(deadline - ContinuousClock.now, .milliseconds(1)))
            switch await client.update(lease, timeout: timeout) {
            case .lease(let written):
                observe(written, wrote: true)
                logger.info("released the lease")
                return
            case .conflict:
                state.withLock { $0.statistics.conflicts += 1 }
                guard case .lease(let fresh) = await client.get(timeout: timeout) else { return }
                record = fresh
            case .notFound:
                return
            case .failed(let reason):
                logger.warning("could not release the lease; the next holder waits for it to expire", metadata: ["error": "\(reason)"])
                return
            }
        }
    }
}

extension LeaderElectionSettings {
    /// `leaseDurationSeconds` as written: whole seconds, at least one.
    var leaseSeconds: Int64 {
        max(1, leaseDuration.components.seconds + (leaseDuration.components.attoseconds > 0 ? 1 : 0))
    }
}
