/// Groups parsed sample lines into families and points, and checks what only the whole
/// body can show: a series given twice, families interleaved (OpenMetrics), histograms
/// and summaries assembled from their lines, `_created` times attached (docs/apps.md,
/// "Parsing").
///
/// Families are found from sample names with the suffix rules of `SampleRole`. In
/// OpenMetrics a family's lines must be contiguous and its metadata must precede its
/// samples (`out_of_order` otherwise). The text format follows Prometheus' leniency:
/// families may interleave and samples with no `# TYPE` form `unknown` families named
/// after the sample. A series repeated within one body is `duplicate_series` in both
/// formats, whatever its timestamps (Prometheus drops the repeat of an untimestamped
/// series with "duplicate sample for timestamp"; a body is one observation here, so the
/// body is rejected).
struct FamilyAssembler {
    let format: ScrapeFormat
    private(set) var families: [WorkingFamily] = []
    /// Family names to family indices (entry `e` is family `e`).
    private var byName = SeriesIndex()
    /// OpenMetrics: the family being read. Text: the family of the last HELP/TYPE line.
    private var current = -1
    /// The family of the previous sample line (the fast path).
    private var lastUsed = -1
    private var index = SeriesIndex()
    private var key: [UInt8] = []
    private var lastKey: [UInt8] = []
    private var lastEntry = -1
    /// The previous sample line's `le`/`quantile` label (its index), -1 when none.
    private var lastSpecial = -1
    private var order: [Int] = []
    private var scratch: [UInt8] = []
    private var strings = StringInterner()

    init(format: ScrapeFormat) {
        self.format = format
        key.reserveCapacity(256)
        lastKey.reserveCapacity(256)
        order.reserveCapacity(16)
    }

    enum Metadata {
        case help(String)
        case type(ScrapedMetricType)
        case unit(String)
    }

    // MARK: metadata

    mutating func metadata(_ meta: Metadata, name: UnsafeBufferPointer<UInt8>, line: Int) throws(ScrapeParseError) {
        lastUsed = -1
        lastEntry = -1
        var fi: Int
        if format == .openMetrics {
            if current >= 0 && Self.equal(families[current].nameBytes, name) {
                fi = current
                if !families[fi].points.isEmpty {
                    throw ScrapeParseError(reason: "out_of_order", line: line, message: "metadata for family \(families[fi].name) after its samples")
                }
            } else if let existing = family(named: name) {
                throw ScrapeParseError(reason: "out_of_order", line: line, message: "family \(families[existing].name) is not contiguous (seen before)")
            } else {
                fi = newFamily(name)
                current = fi
            }
        } else {
            // Text: the previous HELP line's family is the usual answer for a TYPE line.
            if current >= 0 && Self.equal(families[current].nameBytes, name) {
                fi = current
            } else {
                fi = family(named: name) ?? newFamily(name)
            }
            current = fi
        }
        switch meta {
        case .help(let text):
            if format == .openMetrics && families[fi].helpSet {
                throw ScrapeParseError(reason: "duplicate_metadata", line: line, message: "second HELP for \(families[fi].name)")
            }
            families[fi].help = text  // text format: the last HELP wins, as in Prometheus' metadata cache
            families[fi].helpSet = true
        case .type(let type):
            // Fields read one by one: a copy of the whole family would retain each of its arrays.
            let typeSet = families[fi].typeSet, previous = families[fi].type, hasPoints = !families[fi].points.isEmpty
            if typeSet && (format == .openMetrics || previous != type) {
                throw ScrapeParseError(reason: "duplicate_metadata", line: line, message: "second TYPE for \(families[fi].name)")
            }
            if hasPoints && previous != type {
                throw ScrapeParseError(reason: "out_of_order", line: line, message: "TYPE for \(families[fi].name) after its samples")
            }
            families[fi].type = type
            families[fi].typeSet = true
        case .unit(let unit):
            if families[fi].unitSet {
                throw ScrapeParseError(reason: "duplicate_metadata", line: line, message: "second UNIT for \(families[fi].name)")
            }
            families[fi].unit = unit
            families[fi].unitSet = true
        }
    }

    private mutating func newFamily(_ name: UnsafeBufferPointer<UInt8>) -> Int {
        let fi = families.count
        families.append(WorkingFamily(name: String(decoding: name, as: UTF8.self), nameBytes: Array(name), type: .unknown))
        byName.insert(name, hash: SeriesIndex.hash(name), family: fi, point: 0)
        return fi
    }

    /// The family called `name`, if any.
    private func family(named name: UnsafeBufferPointer<UInt8>) -> Int? {
        byName.find(name, hash: SeriesIndex.hash(name)).map { Int(byName.family[$0]) }
    }

    private func family(named name: [UInt8]) -> Int? {
        name.withUnsafeBufferPointer { family(named: $0) }
    }

    private static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        b.withUnsafeBufferPointer { equal(a, $0) }
    }

    private static func equal(_ a: [UInt8], _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        a.count == b.count && (b.isEmpty || a.withUnsafeBufferPointer { memEqual($0.baseAddress!, b.baseAddress!, b.count) })
    }

    // MARK: samples

    /// One sample line: its name, its labels (spans into `body`), the previous sample
    /// line's labels, value and timestamp.
    mutating func sample(body p: UnsafePointer<UInt8>, name: UnsafeBufferPointer<UInt8>, labels: UnsafeBufferPointer<LabelSpan>,
                         previous: UnsafeBufferPointer<LabelSpan>, value: Double, timestamp: Int64?, line: Int) throws(ScrapeParseError) {
        var fi = lastUsed
        var role: SampleRole?
        if fi >= 0 {
            role = SampleRole.of(name: name, family: families[fi].nameBytes, type: families[fi].type, format: format)
        }
        if role == nil {
            (fi, role) = try resolveFamily(name, line: line)
            if fi != lastUsed { lastEntry = -1 }
            lastUsed = fi
        }
        guard let role else { return }
        let n = labels.count

        // The label that is not part of the series: `le` of a bucket, `quantile` of a quantile.
        var special = -1
        let needsSpecial = role == .bucket || role == .quantile
        if needsSpecial {
            let want: StaticString = role == .bucket ? "le" : "quantile"
            for k in 0..<n where Self.isName(p, labels[k], want) { special = k; break }
        }

        // The same series as the previous line (the family's next bucket, its _sum, ...):
        // same labels in the same order, bytes compared in place. The previous line's checks
        // cover this one: its labels other than its `le`/`quantile` had distinct names, and
        // so do this line's (a bucket's `le` cannot repeat one, as the previous line had
        // its own `le` too).
        let entry: Int
        if lastEntry >= 0 && needsSpecial == (special >= 0) && (special < 0 || lastSpecial >= 0)
            && Self.sameLabels(p, labels, skipping: special, previous, skipping: lastSpecial) {
            entry = lastEntry
        } else {
            entry = try findSeries(fi, body: p, name: name, labels: labels, special: special, role: role, line: line)
        }
        lastSpecial = special
        let pi = Int(index.point[entry])
        try apply(role, value: value, timestamp: timestamp, family: fi, point: pi, body: p,
                  special: special >= 0 ? labels[special] : nil, name: name, line: line)
    }

    /// The entry of a sample line's series, added (with its point) when new; checks the
    /// label names for repeats.
    private mutating func findSeries(_ fi: Int, body p: UnsafePointer<UInt8>, name: UnsafeBufferPointer<UInt8>, labels: UnsafeBufferPointer<LabelSpan>,
                                     special: Int, role: SampleRole, line: Int) throws(ScrapeParseError) -> Int {
        // Canonical label order (by name) for the series key and the repeated-name check:
        // an insertion sort, as label sets are short and usually sorted or nearly so.
        let n = labels.count
        order.removeAll(keepingCapacity: true)
        for k in 0..<n { order.append(k) }
        var repeated = -1
        order.withUnsafeMutableBufferPointer { o in
            for k in 1..<max(n, 1) {
                let item = o[k]
                var j = k
                while j > 0 {
                    let c = Self.compareNames(p, labels[o[j - 1]], labels[item])
                    if c == 0 { repeated = item }
                    if c <= 0 { break }
                    o[j] = o[j - 1]
                    j -= 1
                }
                o[j] = item
            }
        }
        if repeated >= 0 {
            let l = labels[repeated]
            throw ScrapeParseError(reason: "duplicate_label", line: line,
                                   message: "label \(ExpositionEscapes.string(p, l.nameStart, l.nameEnd, escaped: l.nameEscaped, scratch: &scratch)) repeated")
        }

        if (role == .bucket || role == .quantile) && special < 0 {
            throw ScrapeParseError(reason: role == .bucket ? "invalid_histogram" : "invalid_summary", line: line,
                                   message: "\(String(decoding: name, as: UTF8.self)) without a \(role == .bucket ? "le" : "quantile") label")
        }

        // Series key: family index, then name 0xFF value 0xFE per label (bytes that valid UTF-8 never holds).
        key.removeAll(keepingCapacity: true)
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: fi).littleEndian) { key.append(contentsOf: $0) }
        for k in order where k != special {
            let l = labels[k]
            key.append(contentsOf: UnsafeBufferPointer(start: p + l.nameStart, count: l.nameEnd - l.nameStart))
            key.append(0xFF)
            if l.valueEscaped {
                ExpositionEscapes.unescape(p, l.valueStart, l.valueEnd, quotes: true, into: &key)
            } else {
                key.append(contentsOf: UnsafeBufferPointer(start: p + l.valueStart, count: l.valueEnd - l.valueStart))
            }
            key.append(0xFE)
        }

        var entry: Int
        if lastEntry >= 0 && Self.equal(lastKey, key) {
            entry = lastEntry
        } else {
            let k = key
            let h = k.withUnsafeBufferPointer { SeriesIndex.hash($0) }
            if let found = k.withUnsafeBufferPointer({ index.find($0, hash: h) }) {
                entry = found
            } else {
                k.withUnsafeBufferPointer { index.insert($0, hash: h, family: fi, point: families[fi].points.count) }
                appendPoint(fi, p, labels, skipping: special, line: line)
                entry = index.count - 1
            }
            swap(&key, &lastKey)
            lastEntry = entry
        }
        return entry
    }

    /// Whether two label lists, each without its label `skip` (-1: none), are the same
    /// labels in the same order, byte for byte.
    private static func sameLabels(_ p: UnsafePointer<UInt8>, _ a: UnsafeBufferPointer<LabelSpan>, skipping skipA: Int,
                                   _ b: UnsafeBufferPointer<LabelSpan>, skipping skipB: Int) -> Bool {
        guard a.count - (skipA >= 0 ? 1 : 0) == b.count - (skipB >= 0 ? 1 : 0) else { return false }
        var i = 0, j = 0
        while true {
            if i == skipA { i += 1 }
            if j == skipB { j += 1 }
            guard i < a.count, j < b.count else { return true }
            let x = a[i], y = b[j]
            let nameLength = x.nameEnd - x.nameStart, valueLength = x.valueEnd - x.valueStart
            guard x.nameEscaped == y.nameEscaped, x.valueEscaped == y.valueEscaped,
                  nameLength == y.nameEnd - y.nameStart, valueLength == y.valueEnd - y.valueStart,
                  memEqual(p + x.nameStart, p + y.nameStart, nameLength),
                  memEqual(p + x.valueStart, p + y.valueStart, valueLength) else { return false }
            i += 1
            j += 1
        }
    }

    private mutating func appendPoint(_ fi: Int, _ p: UnsafePointer<UInt8>, _ labels: UnsafeBufferPointer<LabelSpan>, skipping special: Int, line: Int) {
        var out: [ScrapedLabel] = []
        out.reserveCapacity(special >= 0 ? labels.count - 1 : labels.count)
        for k in 0..<labels.count where k != special {
            let l = labels[k]
            out.append(ScrapedLabel(
                name: strings.string(p, l.nameStart, l.nameEnd, escaped: l.nameEscaped, scratch: &scratch),
                value: strings.string(p, l.valueStart, l.valueEnd, escaped: l.valueEscaped, scratch: &scratch)))
        }
        let initial: ScrapedValue
        switch families[fi].type {
        case .histogram, .gaugeHistogram: initial = .histogram(buckets: [], count: nil, sum: nil)
        case .summary: initial = .summary(quantiles: [], count: nil, sum: nil)
        default: initial = .number(0)
        }
        if families[fi].points.isEmpty {
            // Most families have a handful of series: room for them at once, not three regrowths.
            families[fi].points.reserveCapacity(8)
            families[fi].parts.reserveCapacity(8)
        }
        families[fi].points.append(ScrapedPoint(labels: out, value: initial))
        families[fi].parts.append(PointParts(line: line))
    }

    private mutating func apply(_ role: SampleRole, value v: Double, timestamp: Int64?, family fi: Int, point pi: Int,
                                body p: UnsafePointer<UInt8>, special: LabelSpan?, name: UnsafeBufferPointer<UInt8>, line: Int) throws(ScrapeParseError) {
        func duplicate() -> ScrapeParseError {
            ScrapeParseError(reason: "duplicate_series", line: line, message: "\(String(decoding: name, as: UTF8.self)) repeats a series")
        }
        let type = families[fi].type
        let strict = format == .openMetrics
        func requireCount(_ what: String) throws(ScrapeParseError) {
            if strict && (v.isNaN || v < 0) {
                throw ScrapeParseError(reason: "invalid_value", line: line, message: "\(what) of \(families[fi].name) must not be negative or NaN")
            }
        }
        switch role {
        case .value:
            if families[fi].parts[pi].hasValue { throw duplicate() }
            if type == .counter { try requireCount("counter total") }
            families[fi].parts[pi].hasValue = true
            families[fi].points[pi].value = .number(v)
            families[fi].points[pi].timestampMilliseconds = timestamp
        case .created:
            if families[fi].parts[pi].hasCreated { throw duplicate() }
            families[fi].parts[pi].hasCreated = true
            families[fi].points[pi].createdSeconds = v
        case .count:
            if families[fi].parts[pi].hasCount { throw duplicate() }
            if type != .gaugeHistogram { try requireCount("count") }
            families[fi].parts[pi].hasCount = true
            families[fi].parts[pi].count = v
            if families[fi].points[pi].timestampMilliseconds == nil { families[fi].points[pi].timestampMilliseconds = timestamp }
        case .sum:
            if families[fi].parts[pi].hasSum { throw duplicate() }
            families[fi].parts[pi].hasSum = true
            families[fi].parts[pi].sum = v
            if families[fi].points[pi].timestampMilliseconds == nil { families[fi].points[pi].timestampMilliseconds = timestamp }
        case .bucket, .quantile:
            let l = special!
            let bound: Double?
            if l.valueEscaped {
                scratch.removeAll(keepingCapacity: true)
                ExpositionEscapes.unescape(p, l.valueStart, l.valueEnd, quotes: true, into: &scratch)
                bound = scratch.withUnsafeBufferPointer { b in
                    b.isEmpty ? nil : ExpositionNumber.parseDouble(b.baseAddress!, 0, b.count)
                }
            } else {
                bound = ExpositionNumber.parseDouble(p, l.valueStart, l.valueEnd)
            }
            // Only for an error message: decoding it on every line cost a tenth of the parse.
            func text() -> String { String(decoding: UnsafeBufferPointer(start: p + l.valueStart, count: l.valueEnd - l.valueStart), as: UTF8.self) }
            if role == .bucket {
                guard let bound, !bound.isNaN else {
                    throw ScrapeParseError(reason: "invalid_histogram", line: line, message: "le=\"\(text())\" is not a number")
                }
                if type == .histogram { try requireCount("bucket") }
                // Room for client libraries' default bucket count at once, not five regrowths.
                if families[fi].parts[pi].buckets.isEmpty { families[fi].parts[pi].buckets.reserveCapacity(16) }
                families[fi].parts[pi].buckets.append(HistogramBucket(upperBound: bound, cumulativeCount: v))
            } else {
                guard let bound, !bound.isNaN, !strict || (bound >= 0 && bound <= 1) else {
                    throw ScrapeParseError(reason: "invalid_summary", line: line, message: "quantile=\"\(text())\" is not a number in [0, 1]")
                }
                if families[fi].parts[pi].quantiles.isEmpty { families[fi].parts[pi].quantiles.reserveCapacity(8) }
                families[fi].parts[pi].quantiles.append(SummaryQuantile(quantile: bound, value: v))
            }
            if families[fi].points[pi].timestampMilliseconds == nil { families[fi].points[pi].timestampMilliseconds = timestamp }
        }
    }

    /// The family of a sample that does not belong to the previous sample's family.
    private mutating func resolveFamily(_ name: UnsafeBufferPointer<UInt8>, line: Int) throws(ScrapeParseError) -> (Int, SampleRole?) {
        if current >= 0, let role = SampleRole.of(name: name, family: families[current].nameBytes, type: families[current].type, format: format) {
            return (current, role)
        }
        let nameBytes = Array(name)
        // A family seen earlier that this sample fits (a suffix of its type, or its own name).
        for candidate in Self.candidateFamilyNames(nameBytes, format: format) {
            if let fi = family(named: candidate),
               let role = SampleRole.of(name: name, family: families[fi].nameBytes, type: families[fi].type, format: format) {
                if format == .openMetrics {
                    throw ScrapeParseError(reason: "out_of_order", line: line, message: "family \(families[fi].name) is not contiguous (seen before)")
                }
                return (fi, role)
            }
        }
        if let fi = family(named: name) {
            // A family of that name exists whose type does not allow this sample name.
            throw ScrapeParseError(reason: "invalid_name", line: line,
                                   message: "sample \(families[fi].name) does not fit its \(families[fi].type.rawValue) family")
        }
        let fi = newFamily(name)
        if format == .openMetrics { current = fi }
        return (fi, .value)
    }

    /// Names of families a sample name could belong to: the name itself and the name
    /// without each type suffix it ends with (and, text counters, `x_total` for `x`).
    private static func candidateFamilyNames(_ name: [UInt8], format: ScrapeFormat) -> [[UInt8]] {
        var out: [[UInt8]] = [name]
        for suffix in ["_total", "_created", "_bucket", "_count", "_sum", "_gcount", "_gsum", "_info"] {
            let s = Array(suffix.utf8)
            if name.count > s.count && name.suffix(s.count).elementsEqual(s) {
                let base = Array(name.prefix(name.count - s.count))
                out.append(base)
                if format == .prometheusText && suffix == "_created" { out.append(base + Array("_total".utf8)) }
            }
        }
        if format == .prometheusText { out.append(name + Array("_total".utf8)) }
        return out
    }

    // MARK: finishing

    /// Completes histograms and summaries, attaches text-format `_created` families, and
    /// returns the families that have points, in the order they appeared.
    mutating func finish() throws(ScrapeParseError) -> [ScrapedFamily] {
        for fi in families.indices {
            let type = families[fi].type
            for pi in families[fi].points.indices {
                let parts = families[fi].parts[pi]
                switch type {
                case .histogram, .gaugeHistogram:
                    let buckets = try finishBuckets(parts, family: families[fi])
                    families[fi].points[pi].value = .histogram(buckets: buckets, count: parts.hasCount ? parts.count : nil, sum: parts.hasSum ? parts.sum : nil)
                case .summary:
                    var quantiles = parts.quantiles
                    if !isSorted(quantiles, by: { $0.quantile }) { quantiles.sort { $0.quantile < $1.quantile } }
                    for k in quantiles.indices.dropFirst() where quantiles[k - 1].quantile == quantiles[k].quantile {
                        throw ScrapeParseError(reason: "duplicate_series", line: parts.line, message: "\(families[fi].name) repeats quantile \(quantiles[k].quantile)")
                    }
                    families[fi].points[pi].value = .summary(quantiles: quantiles, count: parts.hasCount ? parts.count : nil, sum: parts.hasSum ? parts.sum : nil)
                default:
                    if !parts.hasValue {
                        throw ScrapeParseError(reason: "missing_value", line: parts.line, message: "\(families[fi].name) has a _created sample but no value")
                    }
                }
            }
        }
        if format == .prometheusText { attachCreatedFamilies() }
        var out: [ScrapedFamily] = []
        out.reserveCapacity(families.count)
        for family in families where !family.points.isEmpty {
            out.append(ScrapedFamily(name: family.name, type: family.type, help: family.help, unit: family.unit, points: family.points))
        }
        return out
    }

    private func finishBuckets(_ parts: PointParts, family: WorkingFamily) throws(ScrapeParseError) -> [HistogramBucket] {
        var buckets = parts.buckets
        if !isSorted(buckets, by: { $0.upperBound }) { buckets.sort { $0.upperBound < $1.upperBound } }
        for k in buckets.indices.dropFirst() where buckets[k - 1].upperBound == buckets[k].upperBound {
            throw ScrapeParseError(reason: "duplicate_series", line: parts.line, message: "\(family.name) repeats bucket le=\(buckets[k].upperBound)")
        }
        guard format == .openMetrics else { return buckets }
        // OpenMetrics: a +Inf bucket, cumulative counts, and _count equal to the +Inf bucket.
        guard let last = buckets.last, last.upperBound == .infinity else {
            throw ScrapeParseError(reason: "invalid_histogram", line: parts.line, message: "\(family.name) has no +Inf bucket")
        }
        for k in buckets.indices.dropFirst() where buckets[k].cumulativeCount < buckets[k - 1].cumulativeCount {
            throw ScrapeParseError(reason: "invalid_histogram", line: parts.line, message: "\(family.name) buckets are not cumulative")
        }
        if parts.hasCount && parts.count != last.cumulativeCount {
            throw ScrapeParseError(reason: "invalid_histogram", line: parts.line, message: "\(family.name) count differs from its +Inf bucket")
        }
        return buckets
    }

    /// client_python writes a counter's, histogram's or summary's creation times in the
    /// text format as a separate gauge family `<name>_created`; their values become the
    /// points' `createdSeconds` and the family goes away (points that match no series stay).
    private mutating func attachCreatedFamilies() {
        let suffix = Array("_created".utf8)
        for ci in families.indices {
            let created = families[ci]
            guard created.type == .gauge || created.type == .unknown, !created.points.isEmpty,
                  created.nameBytes.count > suffix.count, created.nameBytes.suffix(suffix.count).elementsEqual(suffix) else { continue }
            let base = Array(created.nameBytes.prefix(created.nameBytes.count - suffix.count))
            var target: Int?
            for candidate in [base, base + Array("_total".utf8)] {
                if let ti = family(named: candidate) {
                    let t = families[ti]
                    if t.type == .histogram || t.type == .summary || t.type == .counter { target = ti; break }
                }
            }
            guard let ti = target, ti != ci else { continue }
            var pointsByLabels: [[ScrapedLabel]: Int] = [:]
            for (pi, point) in families[ti].points.enumerated() {
                pointsByLabels[point.labels.sorted { $0.name < $1.name }] = pi
            }
            var kept: [ScrapedPoint] = []
            for point in created.points {
                guard case .number(let seconds) = point.value,
                      let pi = pointsByLabels[point.labels.sorted { $0.name < $1.name }],
                      families[ti].points[pi].createdSeconds == nil else {
                    kept.append(point)
                    continue
                }
                families[ti].points[pi].createdSeconds = seconds
            }
            families[ci].points = kept
        }
    }

    // MARK: helpers

    private func isSorted<T>(_ items: [T], by key: (T) -> Double) -> Bool {
        for k in items.indices.dropFirst() where !(key(items[k - 1]) <= key(items[k])) { return false }
        return true
    }

    private static func compareNames(_ p: UnsafePointer<UInt8>, _ a: LabelSpan, _ b: LabelSpan) -> Int {
        let la = a.nameEnd - a.nameStart, lb = b.nameEnd - b.nameStart
        let m = min(la, lb)
        var k = 0
        while k < m {
            let x = p[a.nameStart + k], y = p[b.nameStart + k]
            if x != y { return x < y ? -1 : 1 }
            k += 1
        }
        return la == lb ? 0 : (la < lb ? -1 : 1)
    }

    private static func isName(_ p: UnsafePointer<UInt8>, _ l: LabelSpan, _ s: StaticString) -> Bool {
        l.nameEnd - l.nameStart == s.utf8CodeUnitCount && memEqual(p + l.nameStart, s.utf8Start, s.utf8CodeUnitCount)
    }
}
