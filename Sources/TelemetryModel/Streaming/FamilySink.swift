/// Where a renderer writes families: an exposition being streamed to a scraper, an
/// OTLP request being encoded, a test's collection. Families arrive one at a time,
/// each header before its samples, so nothing has to hold a whole rendering.
///
/// Requirements: `beginFamily` is called once per family, before any of its samples,
/// also for a family that has none (its header is still written); each `sample`
/// belongs to the family begun last; a family's samples all come before the next
/// family begins. Ending the output (`# EOF`, the last OTLP request) is up to the
/// sink's owner. A sink reads the `SampleLabels` it is given during the call only and
/// keeps neither them nor their bytes (renderers lend values that are valid only that
/// long); to keep labels, keep their `labelSet`.
///
/// Points with their own time and histogram/summary points come only from sources that
/// have them (applications' metrics): `sample(_:value:startTimeUnixNano:timeUnixNano:)`
/// is called for a number whose `timeUnixNano` is not 0, `distribution` for each point
/// of a `histogram` or `summary` family. A sink that has no use for a point's time
/// keeps the default, which drops it; one that cannot write distributions keeps the
/// default, which leaves them out.
public protocol FamilySink {
    mutating func beginFamily(_ header: FamilyHeader)
    /// One sample of the current family. `startTimeUnixNano` is a counter's start,
    /// nil when unknown or for gauges.
    mutating func sample(_ labels: SampleLabels, value: Double, startTimeUnixNano: UInt64?)
    /// One sample observed at `timeUnixNano` (Unix nanoseconds, not 0).
    mutating func sample(_ labels: SampleLabels, value: Double, startTimeUnixNano: UInt64?, timeUnixNano: UInt64)
    /// One histogram or summary point of the current family; `timeUnixNano` 0 is the
    /// time of the collection.
    mutating func distribution(_ labels: SampleLabels, _ value: Distribution, startTimeUnixNano: UInt64?, timeUnixNano: UInt64)
}

extension FamilySink {
    public mutating func sample(_ labels: SampleLabels, value: Double, startTimeUnixNano: UInt64?, timeUnixNano: UInt64) {
        sample(labels, value: value, startTimeUnixNano: startTimeUnixNano)
    }

    public mutating func distribution(_ labels: SampleLabels, _ value: Distribution, startTimeUnixNano: UInt64?, timeUnixNano: UInt64) {}
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
            labels.fill(from: series.labels)
            if let distribution = series.distribution {
                sink.distribution(labels, distribution, startTimeUnixNano: series.startTimeUnixNano, timeUnixNano: series.timeUnixNano)
            } else if series.timeUnixNano != 0 {
                sink.sample(labels, value: series.value, startTimeUnixNano: series.startTimeUnixNano, timeUnixNano: series.timeUnixNano)
            } else {
                sink.sample(labels, value: series.value, startTimeUnixNano: series.startTimeUnixNano)
            }
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

    public mutating func sample(_ labels: SampleLabels, value: Double, startTimeUnixNano: UInt64?, timeUnixNano: UInt64) {
        families[families.count - 1].series.append(Series(labels: labels.labelSet, value: value, startTimeUnixNano: startTimeUnixNano,
                                                          timeUnixNano: timeUnixNano))
    }

    public mutating func distribution(_ labels: SampleLabels, _ value: Distribution, startTimeUnixNano: UInt64?, timeUnixNano: UInt64) {
        families[families.count - 1].series.append(Series(labels: labels.labelSet, distribution: value, startTimeUnixNano: startTimeUnixNano,
                                                          timeUnixNano: timeUnixNano))
    }
}
