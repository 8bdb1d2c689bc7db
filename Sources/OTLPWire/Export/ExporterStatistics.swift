import Synchronization

/// What an exporter has done, per signal: every item sent, given up, dropped or
/// rejected is counted here, and every retry.
public struct ExporterStatistics: Sendable, Equatable {
    public struct Signal: Sendable, Equatable {
        /// Items the backend accepted (rejections of a partial success excluded).
        public var sentItems = 0
        /// Items given up after a permanent error or when retries ran out.
        public var failedItems = 0
        /// Items thrown away unsent, by reason: `queue_full`, `oversized`, `shutdown`.
        public var droppedItems: [String: Int] = [:]
        /// Items the backend refused in a partial success.
        public var rejectedItems = 0
        public var retries = 0
        /// Requests by outcome: the gRPC status name (`OK`, `UNAVAILABLE`), the HTTP
        /// status code (`200`, `503`), or, for an OTLP/HTTP request that got no
        /// response, `timeout` or `connection_error`.
        public var requests: [String: Int] = [:]

        public init() {}
    }

    public var signals: [OTLPSignal: Signal] = [:]
    public var queueBytes = 0
    public var queueBatches = 0

    public init() {}

    public subscript(signal: OTLPSignal) -> Signal {
        get { signals[signal] ?? Signal() }
        set { signals[signal] = newValue }
    }
}

/// Shared between the exporter and readers on other threads.
final class StatisticsBox: Sendable {
    private let value = Mutex(ExporterStatistics())

    func update(_ change: (inout ExporterStatistics) -> Void) { value.withLock { change(&$0) } }
    var snapshot: ExporterStatistics { value.withLock { $0 } }
}
