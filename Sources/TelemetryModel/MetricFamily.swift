/// A named group of series sharing one type and help text: the unit both the
/// Prometheus exposition and OTLP's `Metric` are built from.
public struct MetricFamily: Sendable, Hashable {
    public var name: String
    public var help: String
    public var type: MetricType
    public var stability: Stability
    /// UCUM unit for OTLP (`s`, `By`, `1`); empty when the family has none.
    public var unit: String
    public var series: [Series]

    public init(
        name: String,
        help: String,
        type: MetricType,
        stability: Stability = .alpha,
        unit: String = "",
        series: [Series] = []
    ) {
        self.name = name
        self.help = help
        self.type = type
        self.stability = stability
        self.unit = unit
        self.series = series
    }

    /// The HELP text as written in the exposition, with the stability prefix.
    public var exposedHelp: String { stability.helpPrefix + help }
}
