import MetricModel

/// Something that reads one source (the kernel, the Kubernetes API) and turns it
/// into metric families. Collectors own their reusable state; `collect` may block on
/// kernel reads, so the scheduler runs it off Swift's cooperative thread pool.
protocol Collector: Sendable {
    /// Names the collector in logs, self-metrics and endpoint paths (`node`, `cadvisor`).
    var name: String { get }
    func collect() -> Collection
}

/// What one collection cycle produced: the families, and the parts that failed.
/// A failed part costs its own families only; the rest are still published.
struct Collection: Sendable {
    var families: [MetricFamily]
    var failures: [CollectionFailure]

    init(families: [MetricFamily], failures: [CollectionFailure] = []) {
        self.families = families
        self.failures = failures
    }

    var seriesCount: Int { families.reduce(0) { $0 + $1.series.count } }
}

struct CollectionFailure: Error, Sendable, CustomStringConvertible {
    /// The part of the collector that failed (`meminfo`, `filesystem`, ...).
    var subsystem: String
    var message: String

    var description: String { "\(subsystem): \(message)" }
}
