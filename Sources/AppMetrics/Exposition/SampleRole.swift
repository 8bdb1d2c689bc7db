/// What one sample line contributes to its family's point: the whole value, one bucket
/// or quantile, the count, the sum, or the creation time.
enum SampleRole {
    case value, bucket, quantile, count, sum, created

    /// The role of sample `name` in family `family` of `type`, or nil when the sample is
    /// not part of that family. Suffixes are those of the OpenMetrics specification; the
    /// text format also accepts a counter family named with or without `_total` for
    /// samples with or without it (as Prometheus' `isSeriesPartOfFamily` does), and
    /// `_created` for counters, histograms and summaries (client_python writes them).
    static func of(name: UnsafeBufferPointer<UInt8>, family: [UInt8], type: ScrapedMetricType, format: ScrapeFormat) -> SampleRole? {
        let f = family.count
        guard name.count >= f else {
            // Text counter "foo_total" with sample "foo" or "foo_created".
            return textCounterShortName(name: name, family: family, type: type, format: format)
        }
        let prefixMatches = family.withUnsafeBufferPointer { fam in
            f == 0 || memEqual(name.baseAddress!, fam.baseAddress!, f)
        }
        guard prefixMatches else {
            return textCounterShortName(name: name, family: family, type: type, format: format)
        }
        let rest = UnsafeBufferPointer(rebasing: name[f...])
        switch type {
        case .gauge, .unknown, .stateSet:
            return rest.isEmpty ? .value : nil
        case .info:
            if format == .openMetrics { return equals(rest, "_info") ? .value : nil }
            return rest.isEmpty ? .value : nil
        case .counter:
            if format == .openMetrics {
                if equals(rest, "_total") { return .value }
                if equals(rest, "_created") { return .created }
                return nil
            }
            if rest.isEmpty || equals(rest, "_total") { return .value }
            if equals(rest, "_created") && !endsWithTotal(family) { return .created }
            return nil
        case .histogram:
            if equals(rest, "_bucket") { return .bucket }
            if equals(rest, "_count") { return .count }
            if equals(rest, "_sum") { return .sum }
            if equals(rest, "_created") { return .created }
            return nil
        case .gaugeHistogram:
            if equals(rest, "_bucket") { return .bucket }
            if equals(rest, "_gcount") { return .count }
            if equals(rest, "_gsum") { return .sum }
            return nil
        case .summary:
            if rest.isEmpty { return .quantile }
            if equals(rest, "_count") { return .count }
            if equals(rest, "_sum") { return .sum }
            if equals(rest, "_created") { return .created }
            return nil
        }
    }

    /// Text format, counter family named `x_total`: sample `x` is its value and
    /// `x_created` its creation time.
    private static func textCounterShortName(name: UnsafeBufferPointer<UInt8>, family: [UInt8], type: ScrapedMetricType, format: ScrapeFormat) -> SampleRole? {
        guard format == .prometheusText, type == .counter, endsWithTotal(family) else { return nil }
        let base = family.count - 6
        guard name.count >= base else { return nil }
        let prefixMatches = family.withUnsafeBufferPointer { fam in
            base == 0 || memEqual(name.baseAddress!, fam.baseAddress!, base)
        }
        guard prefixMatches else { return nil }
        let rest = UnsafeBufferPointer(rebasing: name[base...])
        if rest.isEmpty { return .value }
        if equals(rest, "_created") { return .created }
        return nil
    }

    static func endsWithTotal(_ name: [UInt8]) -> Bool {
        name.count > 6 && name.withUnsafeBufferPointer { equals(UnsafeBufferPointer(rebasing: $0[($0.count - 6)...]), "_total") }
    }

    static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ s: StaticString) -> Bool {
        bytes.count == s.utf8CodeUnitCount && (bytes.isEmpty || memEqual(bytes.baseAddress!, s.utf8Start, bytes.count))
    }
}

/// Byte equality of two regions of `count` bytes.
@inline(__always)
func memEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    var i = 0
    while i + 8 <= count {
        if UnsafeRawPointer(a + i).loadUnaligned(as: UInt64.self) != UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self) { return false }
        i += 8
    }
    while i < count {
        if a[i] != b[i] { return false }
        i += 1
    }
    return true
}
