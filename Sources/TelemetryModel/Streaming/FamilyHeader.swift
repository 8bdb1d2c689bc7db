/// What a family says about itself before its samples: the `# HELP`/`# TYPE` lines of
/// an exposition, the name, description and kind of an OTLP `Metric`.
public struct FamilyHeader: Sendable, Hashable {
    public var name: String
    public var help: String
    public var type: MetricType
    public var stability: Stability
    /// UCUM unit for OTLP (`s`, `By`, `1`); empty when the family has none.
    public var unit: String

    public init(name: String, help: String, type: MetricType, stability: Stability = .alpha, unit: String = "") {
        self.name = name
        self.help = help
        self.type = type
        self.stability = stability
        self.unit = unit
    }

    /// The HELP text as written in the exposition, with the stability prefix.
    public var exposedHelp: String { stability.helpPrefix + help }
}

extension MetricFamily {
    public var header: FamilyHeader {
        FamilyHeader(name: name, help: help, type: type, stability: stability, unit: unit)
    }
}
