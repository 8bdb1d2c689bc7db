/// Something that reads one source (the kernel, the Kubernetes API) and turns it
/// into metric families. Collectors own their reusable state; `collect` may block on
/// kernel reads, so the scheduler runs it off Swift's cooperative thread pool.
public protocol Collector: Sendable {
    /// Names the collector in logs, self-metrics and endpoint paths (`node`, `cadvisor`).
    var name: String { get }
    /// False while the collector has nothing true to say yet (the Kubernetes watch
    /// before its first list): the agent then publishes nothing and is not ready.
    var isReady: Bool { get }
    func collect() -> CollectionResult
}

extension Collector {
    public var isReady: Bool { true }
}

/// What one collection cycle produced: the families, and the parts that failed.
/// A failed part costs its own families only; the rest are still published.
public struct CollectionResult: Sendable {
    public var families: [MetricFamily]
    public var failures: [CollectionFailure]
    /// Objects (cgroups, API objects) left out of this cycle, by reason (`vanished`,
    /// `unreadable`, `malformed`): the agent counts them in its self-metrics.
    public var skipped: [String: Int]

    public init(families: [MetricFamily], failures: [CollectionFailure] = [], skipped: [String: Int] = [:]) {
        self.families = families
        self.failures = failures
        self.skipped = skipped
    }

    public var seriesCount: Int { families.reduce(0) { $0 + $1.series.count } }
}

public struct CollectionFailure: Error, Sendable, CustomStringConvertible {
    /// The part of the collector that failed (`meminfo`, `filesystem`, ...).
    public var subsystem: String
    public var message: String

    public init(subsystem: String, message: String) {
        self.subsystem = subsystem
        self.message = message
    }

    public var description: String { "\(subsystem): \(message)" }
}
