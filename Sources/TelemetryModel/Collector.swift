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
    /// The cycle's families, as scrapes and pushes render them.
    public var source: any FamilySource
    public var failures: [CollectionFailure]
    /// Objects (cgroups, API objects) left out of this cycle, by reason (`vanished`,
    /// `unreadable`, `malformed`): the agent counts them in its self-metrics.
    public var skipped: [String: Int]

    public init(source: any FamilySource, failures: [CollectionFailure] = [], skipped: [String: Int] = [:]) {
        self.source = source
        self.failures = failures
        self.skipped = skipped
    }

    public init(families: [MetricFamily], failures: [CollectionFailure] = [], skipped: [String: Int] = [:]) {
        self.init(source: families, failures: failures, skipped: skipped)
    }

    /// The families as typed values; a source that renders from rows renders them here.
    public var families: [MetricFamily] { source.families }

    public var seriesCount: Int { source.seriesCount }
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
