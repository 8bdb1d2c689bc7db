/// One metric family of a scraped body.
public struct ScrapedFamily: Sendable, Hashable {
    /// Family name: OpenMetrics counter without `_total`; text: as in TYPE (or the sample name when untyped).
    public var name: String
    public var type: ScrapedMetricType
    /// Unescaped HELP text ("" when none).
    public var help: String
    /// OpenMetrics `# UNIT` ("" when none).
    public var unit: String
    public var points: [ScrapedPoint]

    public init(name: String, type: ScrapedMetricType, help: String = "", unit: String = "", points: [ScrapedPoint] = []) {
        self.name = name
        self.type = type
        self.help = help
        self.unit = unit
        self.points = points
    }
}
