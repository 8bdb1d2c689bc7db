/// One time series of a family at the moment it was collected.
public struct Series: Sendable, Hashable {
    public var labels: LabelSet
    /// A gauge's or counter's value; unused by histograms and summaries, whose value is
    /// `distribution`.
    public var value: Double
    /// When a counter, histogram or summary last started from zero (Unix nanoseconds);
    /// OTLP sends it as the start time of a cumulative point. `nil` for gauges and for
    /// counters whose start is unknown.
    public var startTimeUnixNano: UInt64?
    /// When the point was observed (Unix nanoseconds), for a source that timestamps its
    /// own points (an application's exposition); 0: the time of the collection.
    public var timeUnixNano: UInt64
    /// A histogram's or summary's value; nil for every other type.
    public var distribution: Distribution?

    public init(labels: LabelSet, value: Double, startTimeUnixNano: UInt64? = nil) {
        self.labels = labels
        self.value = value
        self.startTimeUnixNano = startTimeUnixNano
        timeUnixNano = 0
        distribution = nil
    }

    /// A series without labels.
    public init(value: Double, startTimeUnixNano: UInt64? = nil) {
        self.init(labels: .empty, value: value, startTimeUnixNano: startTimeUnixNano)
    }

    /// A number with its own observation time.
    public init(labels: LabelSet, value: Double, startTimeUnixNano: UInt64?, timeUnixNano: UInt64) {
        self.init(labels: labels, value: value, startTimeUnixNano: startTimeUnixNano)
        self.timeUnixNano = timeUnixNano
    }

    /// A histogram or summary point.
    public init(labels: LabelSet, distribution: Distribution, startTimeUnixNano: UInt64?, timeUnixNano: UInt64 = 0) {
        self.init(labels: labels, value: 0, startTimeUnixNano: startTimeUnixNano)
        self.timeUnixNano = timeUnixNano
        self.distribution = distribution
    }
}
