/// One time series of a family at the moment it was collected.
public struct Series: Sendable, Hashable {
    public var labels: LabelSet
    public var value: Double
    /// When a counter last started from zero (Unix nanoseconds); OTLP sends it as the
    /// start time of a cumulative sum. `nil` for gauges and for counters whose start
    /// is unknown.
    public var startTimeUnixNano: UInt64?

    public init(labels: LabelSet, value: Double, startTimeUnixNano: UInt64? = nil) {
        self.labels = labels
        self.value = value
        self.startTimeUnixNano = startTimeUnixNano
    }

    /// A series without labels.
    public init(value: Double, startTimeUnixNano: UInt64? = nil) {
        self.init(labels: .empty, value: value, startTimeUnixNano: startTimeUnixNano)
    }
}
