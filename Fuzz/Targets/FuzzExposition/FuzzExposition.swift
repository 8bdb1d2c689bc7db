import AppMetrics

/// libFuzzer entry: any bytes as a scraped body. The first byte picks the format (bit 0:
/// Prometheus text or OpenMetrics) and a sample limit (the next bits, 0 = none), the rest
/// is the body. A `ScrapeParseError` is the expected outcome for most inputs; a trap,
/// a sanitizer report or a result that breaks what the parser promises is a bug:
/// - a successful parse counts no more samples than its limit allows and no fewer than
///   it has points (every point came from at least one sample line);
/// - histogram buckets come sorted by bound with distinct bounds, summary quantiles
///   likewise (docs/apps.md, "Parsing");
/// - parsing the same bytes twice gives the same result.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzExposition(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let format: ScrapeFormat = data[0] & 1 == 0 ? .prometheusText : .openMetrics
    let limit = Int(data[0] >> 1) & 0x3F
    let body = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    let parser = ExpositionParser(format: format, sampleLimit: limit)
    let first: ScrapedExposition
    do {
        first = try parser.parse(body)
    } catch {
        precondition(!error.reason.isEmpty, "an error without a reason")
        return 0
    }
    precondition(limit == 0 || first.sampleCount <= limit, "\(first.sampleCount) samples over the limit \(limit)")
    let points = first.families.reduce(0) { $0 + $1.points.count }
    precondition(points <= first.sampleCount, "\(points) points from \(first.sampleCount) samples")
    for family in first.families {
        precondition(!family.points.isEmpty, "family \(family.name) without points")
        for point in family.points {
            switch point.value {
            case .histogram(let buckets, _, _):
                for k in buckets.indices.dropFirst() { precondition(buckets[k - 1].upperBound < buckets[k].upperBound, "buckets out of order") }
            case .summary(let quantiles, _, _):
                for k in quantiles.indices.dropFirst() { precondition(quantiles[k - 1].quantile < quantiles[k].quantile, "quantiles out of order") }
            case .number:
                break
            }
        }
    }
    let second = try? parser.parse(Array(body))
    precondition(second.map { same($0, first) } == true, "a second parse of the same bytes differs")
    return 0
}

/// Equality that takes NaN values as equal to themselves (`==` on the results does not).
private func same(_ a: ScrapedExposition, _ b: ScrapedExposition) -> Bool {
    func bits(_ x: Double?) -> UInt64? { x.map { $0.isNaN ? 0x7FF8_0000_0000_0000 : $0.bitPattern } }
    func key(_ e: ScrapedExposition) -> [String] {
        var out = ["\(e.sampleCount)"]
        for family in e.families {
            out.append("\(family.name) \(family.type) \(family.help.utf8.count) \(family.unit)")
            for point in family.points {
                var line = point.labels.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
                line += " \(String(describing: point.timestampMilliseconds)) \(String(describing: bits(point.createdSeconds)))"
                switch point.value {
                case .number(let v): line += " \(bits(v)!)"
                case .histogram(let buckets, let count, let sum):
                    line += " h \(buckets.map { "\(bits($0.upperBound)!):\(bits($0.cumulativeCount)!)" }) \(String(describing: bits(count))) \(String(describing: bits(sum)))"
                case .summary(let quantiles, let count, let sum):
                    line += " s \(quantiles.map { "\(bits($0.quantile)!):\(bits($0.value)!)" }) \(String(describing: bits(count))) \(String(describing: bits(sum)))"
                }
                out.append(line)
            }
        }
        return out
    }
    return key(a) == key(b)
}
