/// Renders metric families held in memory as Prometheus text 0.0.4 or OpenMetrics
/// 1.0.0, in the order given: a whole exposition in one buffer. The bytes are
/// `ExpositionWriter`'s, which streams the same text in pieces.
public struct ExpositionEncoder: Sendable {
    public let format: ExpositionFormat

    public init(format: ExpositionFormat) {
        self.format = format
    }

    /// One complete exposition of the families.
    public func encode<Families: Sequence>(_ families: Families) -> [UInt8]
    where Families.Element == MetricFamily {
        var writer = ExpositionWriter(format: format, capacity: 4096)
        var stream = MetricFamiliesStream(Array(families))
        stream.render(into: &writer)
        writer.finish()
        return writer.bytes
    }
}
