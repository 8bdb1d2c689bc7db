/// What a collector published: families that every scrape and push renders anew
/// (`makeStream`), whether they are held as typed values (`[MetricFamily]`) or
/// written out of the collector's own rows on each render (the container
/// families), so that a cycle need not build series nobody may ask for.
///
/// Requirements: a source does not change once made; `makeStream` may be called from
/// any thread, any number of times, also at the same time, and every stream renders
/// the same families (`seriesCount` samples in all).
public protocol FamilySource: Sendable {
    func makeStream() -> any FamilyStream
    /// Samples a stream renders (the self-metrics' series count).
    var seriesCount: Int { get }
}

extension FamilySource {
    /// The families as typed values (tests, `--once`, callers that merge them).
    public var families: [MetricFamily] {
        if let held = self as? [MetricFamily] { return held }
        var sink = CollectingSink()
        var stream = makeStream()
        stream.render(into: &sink)
        return sink.families
    }
}

/// Families held in memory are their own source.
extension Array: FamilySource where Element == MetricFamily {
    public func makeStream() -> any FamilyStream { MetricFamiliesStream(self) }

    public var seriesCount: Int { reduce(0) { $0 + $1.series.count } }
}
