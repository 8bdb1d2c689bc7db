/// Where a renderer writes families: an exposition being streamed to a scraper, an
/// OTLP request being encoded, a test's collection. Families arrive one at a time,
/// each header before its samples, so nothing has to hold a whole rendering.
///
/// Requirements: `beginFamily` is called once per family, before any of its samples,
/// also for a family that has none (its header is still written); each `sample`
/// belongs to the family begun last; a family's samples all come before the next
/// family begins. Ending the output (`# EOF`, the last OTLP request) is up to the
/// sink's owner.
public protocol FamilySink {
    mutating func beginFamily(_ header: FamilyHeader)
    /// One sample of the current family. `startTimeUnixNano` is a counter's start,
    /// nil when unknown or for gauges.
    mutating func sample(_ labels: SampleLabels, value: Double, startTimeUnixNano: UInt64?)
}

/// Families rendered in pieces, for a consumer that pauses in between (a slow
/// scraper, an exporter queue that is full): each `next` call does a bounded amount of
/// work, and a renderer holds no lock across calls.
///
/// Requirements: `next` writes at most a bounded number of samples, keeps the
/// `FamilySink` order rules across calls, and returns false, having written
/// nothing, once the stream is done.
public protocol FamilyStream {
    mutating func next<Sink: FamilySink>(into sink: inout Sink) -> Bool
}

extension FamilyStream {
    /// Renders what is left in one go.
    public mutating func render<Sink: FamilySink>(into sink: inout Sink) {
        while next(into: &sink) {}
    }
}

/// Families already held in memory (a collector's snapshot) as a stream: one family
/// per piece.
public struct MetricFamiliesStream: FamilyStream {
    private let families: [MetricFamily]
    private var index = 0

    public init(_ families: [MetricFamily]) {
        self.families = families
    }

    public mutating func next<Sink: FamilySink>(into sink: inout Sink) -> Bool {
        guard index < families.count else { return false }
        let family = families[index]
        index += 1
        sink.beginFamily(family.header)
        var labels = SampleLabels()
        for series in family.series {
            labels.removeValues()
            labels.names = series.labels.names
            for value in series.labels.values { labels.appendValue(value) }
            sink.sample(labels, value: series.value, startTimeUnixNano: series.startTimeUnixNano)
        }
        return true
    }
}

/// Several streams one after the other.
public struct ConcatenatedStream: FamilyStream {
    private var streams: [any FamilyStream]
    private var index = 0

    public init(_ streams: [any FamilyStream]) {
        self.streams = streams
    }

    public mutating func next<Sink: FamilySink>(into sink: inout Sink) -> Bool {
        while index < streams.count {
            if streams[index].next(into: &sink) { return true }
            index += 1
        }
        return false
    }
}

/// A sink that keeps what it is given as `MetricFamily` values (tests, and callers
/// that need the typed form).
public struct CollectingSink: FamilySink {
    public private(set) var families: [MetricFamily] = []

    public init() {}

    public mutating func beginFamily(_ header: FamilyHeader) {
        families.append(MetricFamily(name: header.name, help: header.help, type: header.type, stability: header.stability,
                                     unit: header.unit))
    }

    public mutating func sample(_ labels: SampleLabels, value: Double, startTimeUnixNano: UInt64?) {
        families[families.count - 1].series.append(Series(labels: labels.labelSet, value: value, startTimeUnixNano: startTimeUnixNano))
    }
}
