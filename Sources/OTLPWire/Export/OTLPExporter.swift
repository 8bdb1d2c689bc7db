import COTLP
import CProtobufC
import Logging

/// Sends OTLP export requests through one transport (gRPC or OTLP/HTTP), in order,
/// one at a time:
///
/// - transient failures (the transport says which: UNAVAILABLE, HTTP 503, a lost
///   connection, ...) are retried with backoff until the retry policy's elapsed-time
///   limit, waiting the longer of the backoff and the delay the server asked for when
///   it named one; anything else is given up at once;
/// - a partial success is logged and counted, never retried;
/// - the queue is bounded in bytes: when a new batch does not fit, the oldest waiting
///   batches are dropped and counted;
/// - with a spool directory, batches survive restarts.
///
/// Nothing is lost silently: every item ends up counted as sent, failed, rejected or
/// dropped in `statistics`.
public actor OTLPExporter {
    /// What the exporter itself decides; where and how requests go is the transport's.
    public struct Configuration: Sendable {
        public var retry: RetryPolicy
        public var queueMaximumBytes: Int
        /// Where batches wait on disk; nil keeps them in memory only.
        public var queueDirectory: String?

        public init(retry: RetryPolicy = RetryPolicy(), queueMaximumBytes: Int = 64 << 20, queueDirectory: String? = nil) {
            self.retry = retry
            self.queueMaximumBytes = queueMaximumBytes
            self.queueDirectory = queueDirectory
        }
    }

    private struct Queued {
        var sequence: UInt64
        var batch: ExportBatch
        var path: String?
    }

    private let configuration: Configuration
    private let transport: any ExportTransport
    private let spool: BatchSpool?
    private let logger: Logger
    private let box = StatisticsBox()

    private var queue: [Queued] = []
    private var queueBytes = 0
    private var nextSequence: UInt64 = 1
    private var inFlight: UInt64?
    private var workArrived: CheckedContinuation<Void, Never>?
    /// Set while sends fail, so an outage is logged when it starts and ends, not per retry.
    private var failingSince: ContinuousClock.Instant?

    /// Fails when the queue directory cannot be created.
    public init(transport: any ExportTransport, configuration: Configuration = Configuration(), logger: Logger) throws {
        self.configuration = configuration
        self.transport = transport
        self.logger = logger
        if let directory = configuration.queueDirectory {
            let spool = try BatchSpool(directory: directory)
            self.spool = spool
            let loaded = spool.load(maximumBytes: configuration.queueMaximumBytes)
            for path in loaded.unreadable {
                logger.warning("ignoring a file in the export queue directory that is not a readable batch", metadata: ["file": "\(path)"])
            }
            for (signal, items) in loaded.dropped {
                box.update { $0[signal].droppedItems["queue_full", default: 0] += items }
            }
            if !loaded.dropped.isEmpty {
                logger.warning("the export queue directory holds more than max_bytes; the oldest batches are dropped", metadata: [
                    "batches": "\(loaded.dropped.count)", "items": "\(loaded.dropped.reduce(0) { $0 + $1.items })",
                ])
            }
            for entry in loaded.entries {
                queue.append(Queued(sequence: entry.sequence, batch: entry.batch, path: entry.path))
                queueBytes += entry.batch.message.count
            }
            nextSequence = loaded.lastSequence + 1
            if !loaded.entries.isEmpty {
                logger.info("replaying batches queued before the last stop", metadata: ["batches": "\(loaded.entries.count)"])
            }
        } else {
            spool = nil
        }
        let bytes = queueBytes, count = queue.count
        box.update { $0.queueBytes = bytes; $0.queueBatches = count }
    }

    public nonisolated var statistics: ExporterStatistics { box.snapshot }

    /// Queues a batch; the oldest waiting batches make room when the queue is full.
    /// Returns the batch's sequence number, for comparing with `settledThrough`.
    @discardableResult
    public func enqueue(_ batch: ExportBatch) -> UInt64 {
        let size = batch.message.count
        let sequence = nextSequence
        nextSequence += 1
        guard size <= configuration.queueMaximumBytes else {
            drop(batch, reason: "queue_full")
            return sequence
        }
        while queueBytes + size > configuration.queueMaximumBytes,
              let oldest = queue.firstIndex(where: { $0.sequence != inFlight }) {
            let dropped = queue.remove(at: oldest)
            queueBytes -= dropped.batch.message.count
            if let path = dropped.path { spool?.remove(path) }
            drop(dropped.batch, reason: "queue_full")
        }
        var path: String?
        if let spool {
            do {
                path = try spool.store(batch, sequence: sequence)
            } catch {
                logger.warning("cannot store a batch in the export queue directory; it is kept in memory only", metadata: ["error": "\(error)"])
            }
        }
        queue.append(Queued(sequence: sequence, batch: batch, path: path))
        queueBytes += size
        publishQueueSize()
        workArrived?.resume()
        workArrived = nil
        return sequence
    }

    /// The highest sequence number such that every batch enqueued up to it is settled:
    /// delivered, given up or dropped (and counted), or stored in the spool directory,
    /// from which a restart sends it. A producer that must not lose or repeat data
    /// across restarts (the event stream's checkpoint) moves only over settled batches.
    public var settledThrough: UInt64 {
        (queue.lazy.filter { $0.path == nil }.map(\.sequence).min() ?? nextSequence) - 1
    }

    /// Waits until at most `limit` bytes (and at most the queue's room less `bytes`)
    /// are queued, or until `deadline`; true when that was reached. A producer that can
    /// hold back (kube-state, rendered on demand) asks first, so a large push is paced
    /// by the backend, holds about `limit` bytes, and never pushes its own first
    /// requests out of the queue.
    public func waitForRoom(_ bytes: Int, queuedAtMost limit: Int, until deadline: ContinuousClock.Instant) async -> Bool {
        let bound = min(limit, configuration.queueMaximumBytes - bytes)
        while queueBytes > bound && !queue.isEmpty && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return queueBytes <= bound || queue.isEmpty
    }

    /// Sends queued batches until the task is cancelled. Batches still queued then stay
    /// queued (on disk, with a spool) for `flush` or the next start.
    public func run() async {
        while !Task.isCancelled {
            guard let head = queue.first else {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        if Task.isCancelled { continuation.resume() } else { workArrived = continuation }
                    }
                } onCancel: {
                    Task { await self.stopWaiting() }
                }
                continue
            }
            inFlight = head.sequence
            let finished = await deliver(head.batch)
            inFlight = nil
            guard finished else { return }
            if let index = queue.firstIndex(where: { $0.sequence == head.sequence }) {
                queue.remove(at: index)
                queueBytes -= head.batch.message.count
            }
            if let path = head.path { spool?.remove(path) }
            publishQueueSize()
        }
    }

    private func stopWaiting() {
        workArrived?.resume()
        workArrived = nil
    }

    /// Waits until the queue is empty or `timeout` passes; true when everything went out.
    public func flush(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while !queue.isEmpty && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return queue.isEmpty
    }

    /// Gives up what is still queued in memory (counted as dropped at shutdown) and shuts
    /// the transport down. Spooled batches stay on disk for the next start.
    public func close() async {
        for item in queue where item.path == nil {
            drop(item.batch, reason: "shutdown")
        }
        queue.removeAll()
        queueBytes = 0
        publishQueueSize()
        await transport.shutdown()
    }

    /// Gives up every batch queued in memory but the one being sent (counted as dropped
    /// for `reason`) and keeps running; spooled batches stay, they are settled already.
    /// Returns what was settled before the discard: a discarded batch is given up, not
    /// settled. For a producer whose right to send ended (the event stream's
    /// leadership): what it queued is now someone else's to send.
    public func discardUnsettled(reason: String) -> UInt64 {
        let settled = settledThrough
        let (kept, discarded) = (queue.filter { $0.path != nil || $0.sequence == inFlight },
                                 queue.filter { $0.path == nil && $0.sequence != inFlight })
        for item in discarded { drop(item.batch, reason: reason) }
        queue = kept
        queueBytes = kept.reduce(0) { $0 + $1.batch.message.count }
        publishQueueSize()
        return settled
    }

    /// Sends one batch, retrying as the policy allows; false if cancelled meanwhile.
    private func deliver(_ batch: ExportBatch) async -> Bool {
        let started = ContinuousClock.now
        var attempt = 0
        while true {
            let result = await transport.send(batch)
            box.update { $0[batch.signal].requests[result.status, default: 0] += 1 }
            let serverDelay: Duration?
            switch result.outcome {
            case .success(let response):
                let rejected = partialSuccess(of: batch, response: response)
                box.update { $0[batch.signal].sentItems += batch.items - rejected }
                if let since = failingSince {
                    logger.info("export recovered", metadata: ["signal": "\(batch.signal)", "after": "\(ContinuousClock.now - since)"])
                    failingSince = nil
                }
                return true
            case .retryable(let delay):
                serverDelay = delay
            case .permanent:
                serverDelay = nil
            }
            let retryable = result.outcome != .permanent
            attempt += 1
            // The larger of the backoff and the server's delay, as the Collector does: a
            // RetryInfo of zero or less must not turn a throttling server into a busy loop.
            let backoff = configuration.retry.delay(beforeRetry: attempt, random: Double.random(in: 0..<1))
            let delay = max(backoff, serverDelay ?? .zero)
            let elapsed = ContinuousClock.now - started
            guard retryable, elapsed + delay <= configuration.retry.maximumElapsedTime else {
                box.update { $0[batch.signal].failedItems += batch.items }
                logger.warning("export failed; the batch is given up", metadata: [
                    "signal": "\(batch.signal)", "items": "\(batch.items)", "protocol": "\(transport.name)",
                    "status": "\(result.status)", "error": "\(result.reason)",
                    "reason": "\(retryable ? "retries exhausted" : "not retryable")",
                ])
                return true
            }
            box.update { $0[batch.signal].retries += 1 }
            let metadata: Logger.Metadata = [
                "signal": "\(batch.signal)", "protocol": "\(transport.name)", "status": "\(result.status)",
                "error": "\(result.reason)", "retry_in": "\(delay)",
            ]
            if failingSince == nil {
                failingSince = .now
                logger.warning("export failing; retrying", metadata: metadata)
            } else {
                logger.debug("export retry", metadata: metadata)
            }
            do {
                try await Task.sleep(for: delay)
            } catch {
                return false
            }
        }
    }

    /// Counts and logs what a partial success rejected; returns the rejected count.
    private func partialSuccess(of batch: ExportBatch, response: [UInt8]) -> Int {
        guard !response.isEmpty else { return 0 }
        let (rejected, message): (Int, String) = response.withUnsafeBufferPointer { buffer in
            switch batch.signal {
            case .metrics:
                guard let decoded = opentelemetry__proto__collector__metrics__v1__export_metrics_service_response__unpack(nil, buffer.count, buffer.baseAddress) else { return (0, "") }
                defer { opentelemetry__proto__collector__metrics__v1__export_metrics_service_response__free_unpacked(decoded, nil) }
                guard let partial = decoded.pointee.partial_success else { return (0, "") }
                return (Int(partial.pointee.rejected_data_points), String(cString: partial.pointee.error_message))
            case .logs:
                guard let decoded = opentelemetry__proto__collector__logs__v1__export_logs_service_response__unpack(nil, buffer.count, buffer.baseAddress) else { return (0, "") }
                defer { opentelemetry__proto__collector__logs__v1__export_logs_service_response__free_unpacked(decoded, nil) }
                guard let partial = decoded.pointee.partial_success else { return (0, "") }
                return (Int(partial.pointee.rejected_log_records), String(cString: partial.pointee.error_message))
            }
        }
        let clamped = min(max(rejected, 0), batch.items)
        if clamped > 0 || !message.isEmpty {
            box.update { $0[batch.signal].rejectedItems += clamped }
            logger.warning("export partially rejected", metadata: [
                "signal": "\(batch.signal)", "rejected": "\(clamped)", "message": "\(message)",
            ])
        }
        return clamped
    }

    /// Counts items that never became a batch (a point too large for any request).
    public func recordDropped(_ signal: OTLPSignal, items: Int, reason: String) {
        box.update { $0[signal].droppedItems[reason, default: 0] += items }
        logger.warning("export items dropped", metadata: ["signal": "\(signal)", "items": "\(items)", "reason": "\(reason)"])
    }

    private func drop(_ batch: ExportBatch, reason: String) {
        box.update { $0[batch.signal].droppedItems[reason, default: 0] += batch.items }
        logger.warning("export batch dropped", metadata: ["signal": "\(batch.signal)", "items": "\(batch.items)", "reason": "\(reason)"])
    }

    private func publishQueueSize() {
        let bytes = queueBytes, count = queue.count
        box.update { $0.queueBytes = bytes; $0.queueBatches = count }
    }
}
