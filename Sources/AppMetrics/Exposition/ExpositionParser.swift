/// Parses a scraped Prometheus text 0.0.4 or OpenMetrics 1.0 body (docs/apps.md, "Parsing").
public struct ExpositionParser: Sendable {
    public let format: ScrapeFormat
    public let sampleLimit: Int

    /// sampleLimit 0 = none; over it: throws reason "sample_limit" (the scrape fails whole).
    public init(format: ScrapeFormat, sampleLimit: Int) {
        self.format = format
        self.sampleLimit = max(0, sampleLimit)
    }

    public func parse(_ body: UnsafeRawBufferPointer) throws(ScrapeParseError) -> ScrapedExposition {
        guard let base = body.baseAddress, body.count > 0 else {
            if format == .openMetrics { throw ScrapeParseError(reason: "missing_eof", line: 1, message: "body does not end with # EOF") }
            return ScrapedExposition(families: [], sampleCount: 0)
        }
        var reader = ExpositionReader(body: base.assumingMemoryBound(to: UInt8.self), count: body.count, format: format, sampleLimit: sampleLimit)
        return try reader.read()
    }

    public func parse(_ body: [UInt8]) throws(ScrapeParseError) -> ScrapedExposition {
        let result: Result<ScrapedExposition, ScrapeParseError> = body.withUnsafeBytes { raw in
            do throws(ScrapeParseError) { return .success(try parse(raw)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
