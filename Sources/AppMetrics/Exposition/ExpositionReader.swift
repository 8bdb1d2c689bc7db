import TelemetryModel

/// The line grammar of both formats, over the body's bytes: comments and metadata, sample
/// lines with labels, values, timestamps and (OpenMetrics) exemplars. Sample lines go to a
/// `FamilyAssembler`. One pass, no recursion, no per-line allocation; every index is
/// checked against the end, so no input can trap.
///
/// Where Prometheus' text lexer is lenient this follows it: blank and whitespace-only
/// lines, spaces and tabs between tokens, labels without separating commas, a trailing
/// comma, arbitrary `#` comments (not checked for UTF-8). It is stricter in three places,
/// each rejected as `syntax`: a bare metric name must be followed by a space or tab
/// before its value (Prometheus would read `a+1` as `a` = +1), HELP/TYPE text must be
/// separated from the name by whitespace, and a NUL byte outside a quoted string is an
/// error rather than the end of the body. OpenMetrics follows Prometheus' lexer exactly:
/// single spaces, no blank lines, only HELP/TYPE/UNIT/EOF comments, `# EOF` last.
struct ExpositionReader {
    private let p: UnsafePointer<UInt8>
    private let n: Int
    private let format: ScrapeFormat
    private let sampleLimit: Int
    private var i = 0
    private var line = 1
    private var labels: [LabelSpan] = []
    /// The previous sample line's labels and (when unquoted) name: a line usually repeats
    /// them (a histogram's buckets, a family's series), and comparing bytes in place is
    /// cheaper than scanning them again.
    private var previous: [LabelSpan] = []
    private var previousNameStart = 0
    private var previousNameCount = 0
    private var nameScratch: [UInt8] = []
    private var assembler: FamilyAssembler
    private var sampleCount = 0

    init(body: UnsafePointer<UInt8>, count: Int, format: ScrapeFormat, sampleLimit: Int) {
        self.p = body
        self.n = count
        self.format = format
        self.sampleLimit = sampleLimit
        self.assembler = FamilyAssembler(format: format)
        labels.reserveCapacity(16)
        previous.reserveCapacity(16)
    }

    mutating func read() throws(ScrapeParseError) -> ScrapedExposition {
        if format == .openMetrics {
            var sawEOF = false
            while i < n {
                if p[i] == UInt8(ascii: "#") {
                    if try openMetricsComment() { sawEOF = true; break }
                } else {
                    try sampleLine()
                }
            }
            if !sawEOF { throw ScrapeParseError(reason: "missing_eof", line: line, message: "body does not end with # EOF") }
        } else {
            while i < n {
                let c = p[i]
                if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") { i += 1; continue }
                if c == UInt8(ascii: "\n") { i += 1; line += 1; continue }
                if c == UInt8(ascii: "#") { try textComment() } else { try sampleLine() }
            }
        }
        return ScrapedExposition(families: try assembler.finish(), sampleCount: sampleCount)
    }

    // MARK: errors

    private func fail(_ reason: String, _ message: String) -> ScrapeParseError {
        ScrapeParseError(reason: reason, line: line, message: "\(message) in \"\(snippet())\"")
    }

    /// Up to 80 bytes of the current line, printable.
    private func snippet() -> String {
        var s = min(i, n)
        while s > 0 && p[s - 1] != UInt8(ascii: "\n") && min(i, n) - s < 60 { s -= 1 }
        var e = s
        while e < n && p[e] != UInt8(ascii: "\n") && e - s < 80 { e += 1 }
        var out = ""
        for k in s..<e {
            let b = p[k]
            out += b >= 0x20 && b < 0x7F && b != UInt8(ascii: "\"") ? String(UnicodeScalar(b)) : "\\x" + String(b, radix: 16)
        }
        return out
    }

    // MARK: character classes

    @inline(__always) private static func isNameStart(_ b: UInt8) -> Bool {
        let l = b | 0x20
        return (l >= UInt8(ascii: "a") && l <= UInt8(ascii: "z")) || b == UInt8(ascii: "_") || b == UInt8(ascii: ":")
    }
    /// The end of the run of bytes from `from` that are in the set `lo`/`hi` (bit `b` of
    /// `lo` for byte `b` < 64, bit `b - 64` of `hi` for 64 ≤ `b` < 128): one shift and
    /// test per byte, and the index kept in a register rather than in `self`.
    @inline(__always) private func scan(from: Int, lo: UInt64, hi: UInt64) -> Int {
        var j = from
        while j < n && Self.inSet(p[j], lo: lo, hi: hi) { j += 1 }
        return j
    }

    @inline(__always) private static func inSet(_ b: UInt8, lo: UInt64, hi: UInt64) -> Bool {
        b < 64 ? (lo &>> UInt64(b)) & 1 != 0 : b < 128 && (hi &>> UInt64(b & 63)) & 1 != 0
    }

    /// `scan`, trying first whether the run is `count` bytes equal to those at `like` (a
    /// run of the same set seen before): the same result, found a word at a time.
    @inline(__always) private func scan(from: Int, like: Int, count: Int, lo: UInt64, hi: UInt64) -> Int {
        let end = from + count
        if count > 0 && end < n && !Self.inSet(p[end], lo: lo, hi: hi) && memEqual(p + from, p + like, count) { return end }
        return scan(from: from, lo: lo, hi: hi)
    }

    /// `[a-zA-Z0-9_:]`, the metric name characters.
    private static var nameLow: UInt64 { 0x07FF_0000_0000_0000 }
    private static var nameHigh: UInt64 { 0x07FF_FFFE_87FF_FFFE }
    /// `[a-zA-Z0-9_]`, the label name characters.
    private static var labelLow: UInt64 { 0x03FF_0000_0000_0000 }
    private static var labelHigh: UInt64 { 0x07FF_FFFE_87FF_FFFE }
    @inline(__always) private static func isLabelStart(_ b: UInt8) -> Bool {
        let l = b | 0x20
        return (l >= UInt8(ascii: "a") && l <= UInt8(ascii: "z")) || b == UInt8(ascii: "_")
    }

    @inline(__always) private mutating func skipBlanks() {
        while i < n && (p[i] == UInt8(ascii: " ") || p[i] == UInt8(ascii: "\t")) { i += 1 }
    }

    /// Index of the next newline at or after `from`, or `n`.
    private func endOfLine(from: Int) -> Int {
        from < n ? ByteScan.firstIndex(of: UInt8(ascii: "\n"), p, from, n) : from
    }

    private func startsWith(_ at: Int, _ s: StaticString) -> Bool {
        at + s.utf8CodeUnitCount <= n && memEqual(p + at, s.utf8Start, s.utf8CodeUnitCount)
    }

    // MARK: comments and metadata

    /// Text format: `# HELP`/`# TYPE` (after spaces or tabs), anything else a comment.
    private mutating func textComment() throws(ScrapeParseError) {
        var k = i + 1
        if k < n && (p[k] == UInt8(ascii: " ") || p[k] == UInt8(ascii: "\t")) {
            while k < n && (p[k] == UInt8(ascii: " ") || p[k] == UInt8(ascii: "\t")) { k += 1 }
            let isHelp = startsWith(k, "HELP"), isType = startsWith(k, "TYPE")
            if (isHelp || isType) && k + 4 < n && (p[k + 4] == UInt8(ascii: " ") || p[k + 4] == UInt8(ascii: "\t")) {
                i = k + 4
                skipBlanks()
                try metadataLine(isHelp ? "HELP" : "TYPE")
                return
            }
        }
        i = endOfLine(from: i)
        if i < n { i += 1; line += 1 }
    }

    /// OpenMetrics: `# HELP `, `# TYPE `, `# UNIT ` or `# EOF`. Returns true at `# EOF`.
    private mutating func openMetricsComment() throws(ScrapeParseError) -> Bool {
        if startsWith(i, "# EOF") {
            i += 5
            if i < n && p[i] == UInt8(ascii: "\n") { i += 1 }
            if i < n { throw fail("data_after_eof", "data after # EOF") }
            return true
        }
        for keyword: StaticString in ["# HELP ", "# TYPE ", "# UNIT "] where startsWith(i, keyword) {
            let word = String(decoding: UnsafeBufferPointer(start: keyword.utf8Start + 2, count: 4), as: UTF8.self)
            i += 7
            try metadataLine(word)
            return false
        }
        throw fail("syntax", "OpenMetrics allows only # HELP, # TYPE, # UNIT and # EOF comments")
    }

    /// The metric name and text of a HELP/TYPE/UNIT line; `i` is at the name.
    private mutating func metadataLine(_ keyword: String) throws(ScrapeParseError) {
        guard i < n else { throw fail(format == .openMetrics ? "missing_eof" : "syntax", "expected metric name after \(keyword)") }
        var nameStart = i, nameEnd = i, nameEscaped = false
        if p[i] == UInt8(ascii: "\"") {
            let q = try quoted(allowNewline: false)
            (nameStart, nameEnd, nameEscaped) = (q.start, q.end, q.escaped)
            if q.highBit && !UTF8Check.isValid(p, nameStart, nameEnd) { throw fail("invalid_utf8", "metric name is not valid UTF-8") }
        } else if Self.isNameStart(p[i]) {
            i = scan(from: i, lo: Self.nameLow, hi: Self.nameHigh)
            nameEnd = i
        } else {
            throw fail("syntax", "expected metric name after \(keyword)")
        }
        let eol = endOfLine(from: i)
        var textStart = i
        if format == .openMetrics {
            guard eol < n else { throw fail("missing_eof", "body does not end with # EOF") }
            guard i < eol && p[i] == UInt8(ascii: " ") else { throw fail("syntax", "expected text in \(keyword)") }
            textStart = i + 1
        } else if i < eol {
            guard p[i] == UInt8(ascii: " ") || p[i] == UInt8(ascii: "\t") else { throw fail("syntax", "expected whitespace after the metric name in \(keyword)") }
            textStart = i + 1
        }
        i = textStart
        let text = UnsafeBufferPointer(start: p + textStart, count: eol - textStart)

        let meta: FamilyAssembler.Metadata
        switch keyword {
        case "TYPE":
            guard let type = Self.metricType(text, format: format) else {
                throw fail("invalid_type", "unknown metric type \"\(String(decoding: text, as: UTF8.self))\"")
            }
            meta = .type(type)
        case "UNIT":
            guard UTF8Check.isValid(p, textStart, eol) else { throw fail("invalid_utf8", "UNIT is not valid UTF-8") }
            let name = UnsafeBufferPointer(start: p + nameStart, count: nameEnd - nameStart)
            if !text.isEmpty {
                // The unit must be a suffix of the name, after an underscore.
                let u = text.count
                guard name.count > u, memEqual(name.baseAddress! + name.count - u, text.baseAddress!, u), name[name.count - u - 1] == UInt8(ascii: "_") else {
                    throw fail("invalid_unit", "unit is not a suffix of the metric name")
                }
            }
            meta = .unit(String(decoding: text, as: UTF8.self))
        default:
            guard UTF8Check.isValid(p, textStart, eol) else { throw fail("invalid_utf8", "HELP is not valid UTF-8") }
            meta = .help(ExpositionEscapes.string(p, textStart, eol, escaped: ByteScan.firstIndex(of: UInt8(ascii: "\\"), p, textStart, eol) < eol,
                                                  quotes: format == .openMetrics, scratch: &nameScratch))
        }
        let metaLine = line
        i = eol < n ? eol + 1 : n
        if eol < n { line += 1 }
        if nameEscaped {
            nameScratch.removeAll(keepingCapacity: true)
            ExpositionEscapes.unescape(p, nameStart, nameEnd, quotes: true, into: &nameScratch)
            let bytes = nameScratch
            try bytes.withUnsafeBufferPointer { (b) throws(ScrapeParseError) in try assembler.metadata(meta, name: b, line: metaLine) }
        } else {
            try assembler.metadata(meta, name: UnsafeBufferPointer(start: p + nameStart, count: nameEnd - nameStart), line: metaLine)
        }
    }

    private static func metricType(_ text: UnsafeBufferPointer<UInt8>, format: ScrapeFormat) -> ScrapedMetricType? {
        switch String(decoding: text, as: UTF8.self) {
        case "counter": .counter
        case "gauge": .gauge
        case "histogram": .histogram
        case "summary": .summary
        case "untyped" where format == .prometheusText: .unknown
        case "unknown" where format == .openMetrics: .unknown
        case "gaugehistogram" where format == .openMetrics: .gaugeHistogram
        case "info" where format == .openMetrics: .info
        case "stateset" where format == .openMetrics: .stateSet
        default: nil
        }
    }

    // MARK: quoted strings

    /// A quoted string at `i` (a `"`): its content's span, whether it holds escapes and
    /// non-ASCII bytes. `\` escapes any byte but a newline; a raw newline is allowed only
    /// in text-format label values (as Prometheus' lexer allows it).
    private mutating func quoted(allowNewline: Bool) throws(ScrapeParseError) -> (start: Int, end: Int, escaped: Bool, highBit: Bool) {
        let start = i + 1
        var j = start
        var escaped = false
        var high: UInt64 = 0
        let tops: UInt64 = 0x8080_8080_8080_8080
        while true {
            // Eight bytes at a time up to the next quote, backslash or newline.
            while j + 8 <= n {
                let w = ByteWords.load(p, j)
                let stops = ByteWords.matches(w, UInt8(ascii: "\"")) | ByteWords.matches(w, UInt8(ascii: "\\")) | ByteWords.matches(w, UInt8(ascii: "\n"))
                if stops == 0 {
                    high |= w
                    j += 8
                    continue
                }
                let before = stops.trailingZeroBitCount &>> 3
                high |= w & ~(UInt64.max &<< UInt64(before &* 8))
                j += before
                break
            }
            guard j < n else { break }
            let b = p[j]
            if b == UInt8(ascii: "\"") {
                i = j + 1
                return (start, j, escaped, high & tops != 0)
            }
            if b == UInt8(ascii: "\\") {
                guard j + 1 < n, p[j + 1] != UInt8(ascii: "\n") else { break }
                escaped = true
                high |= UInt64(p[j + 1])
                j += 2
                continue
            }
            if b == UInt8(ascii: "\n") {
                guard allowNewline else { break }
                line += 1
            }
            high |= UInt64(b)
            j += 1
        }
        i = j
        throw fail(format == .openMetrics && j >= n ? "missing_eof" : "syntax", "unterminated quoted string")
    }

    // MARK: samples

    private mutating func sampleLine() throws(ScrapeParseError) {
        let text = format == .prometheusText
        let sampleLine = line
        var nameStart = -1, nameEnd = -1, nameEscaped = false
        labels.removeAll(keepingCapacity: true)
        var nameQuoted = true
        if Self.isNameStart(p[i]) {
            nameStart = i
            i = scan(from: i, like: previousNameStart, count: previousNameCount, lo: Self.nameLow, hi: Self.nameHigh)
            nameEnd = i
            nameQuoted = false
        } else if p[i] != UInt8(ascii: "{") {
            throw fail("syntax", "expected a metric name, '{' or '#'")
        }
        var braces = false
        if text { skipBlanksIfBraceFollows() }
        if i < n && p[i] == UInt8(ascii: "{") {
            braces = true
            try labelSet(exemplar: false, nameStart: &nameStart, nameEnd: &nameEnd, nameEscaped: &nameEscaped)
        }
        guard nameStart >= 0 else { throw fail("syntax", "metric name not set") }

        // Value.
        let valueStart: Int
        if text {
            let before = i
            skipBlanks()
            guard braces || i > before else { throw fail("syntax", "expected whitespace and a value after the metric name") }
            valueStart = i
            var j = i
            while j < n, p[j] != UInt8(ascii: " "), p[j] != UInt8(ascii: "\t"), p[j] != UInt8(ascii: "\n"), p[j] != UInt8(ascii: "{") { j += 1 }
            i = j
        } else {
            guard i < n else { throw fail("missing_eof", "body does not end with # EOF") }
            guard p[i] == UInt8(ascii: " ") else { throw fail("syntax", "expected a space and a value after the metric") }
            i += 1
            valueStart = i
            while i < n, p[i] != UInt8(ascii: " "), p[i] != UInt8(ascii: "\n") { i += 1 }
        }
        guard i > valueStart else { throw fail("syntax", "expected a value") }
        guard let value = ExpositionNumber.parseDouble(p, valueStart, i) else { throw fail("invalid_value", "value is not a number") }

        // Timestamp, exemplar, end of line.
        var timestamp: Int64?
        if text {
            skipBlanks()
            if i < n && p[i] != UInt8(ascii: "\n") {
                let tsStart = i
                while i < n && p[i] >= UInt8(ascii: "0") && p[i] <= UInt8(ascii: "9") { i += 1 }
                guard i > tsStart else { throw fail("syntax", "expected a timestamp or the end of the line") }
                guard let ts = ExpositionNumber.parseMilliseconds(p, tsStart, i) else { throw fail("invalid_timestamp", "timestamp out of range") }
                timestamp = ts
                skipBlanks()
                guard i == n || p[i] == UInt8(ascii: "\n") else { throw fail("syntax", "expected the end of the line after the timestamp") }
            }
        } else {
            guard i < n else { throw fail("missing_eof", "body does not end with # EOF") }
            if p[i] == UInt8(ascii: " ") && !startsWith(i, " # {") {
                i += 1
                let tsStart = i
                while i < n, p[i] != UInt8(ascii: " "), p[i] != UInt8(ascii: "\n") { i += 1 }
                guard i > tsStart else { throw fail("syntax", "expected a timestamp") }
                guard let ts = ExpositionNumber.parseSecondsAsMilliseconds(p, tsStart, i) else { throw fail("invalid_timestamp", "timestamp is not a finite number of seconds") }
                timestamp = ts
                guard i < n else { throw fail("missing_eof", "body does not end with # EOF") }
            }
            if startsWith(i, " # {") {
                i += 3
                try exemplar()
            }
            guard i < n else { throw fail("missing_eof", "body does not end with # EOF") }
            guard p[i] == UInt8(ascii: "\n") else { throw fail("syntax", "expected the end of the line") }
        }
        if i < n { i += 1; line += 1 }

        sampleCount += 1
        if sampleLimit > 0 && sampleCount > sampleLimit {
            throw ScrapeParseError(reason: "sample_limit", line: sampleLine, message: "more than \(sampleLimit) samples")
        }
        let l = labels, before = previous
        try l.withUnsafeBufferPointer { (spans) throws(ScrapeParseError) in
            try before.withUnsafeBufferPointer { (previousSpans) throws(ScrapeParseError) in
                if nameEscaped {
                    nameScratch.removeAll(keepingCapacity: true)
                    ExpositionEscapes.unescape(p, nameStart, nameEnd, quotes: true, into: &nameScratch)
                    let bytes = nameScratch
                    try bytes.withUnsafeBufferPointer { (b) throws(ScrapeParseError) in
                        try assembler.sample(body: p, name: b, labels: spans, previous: previousSpans, value: value, timestamp: timestamp, line: sampleLine)
                    }
                } else {
                    try assembler.sample(body: p, name: UnsafeBufferPointer(start: p + nameStart, count: nameEnd - nameStart),
                                         labels: spans, previous: previousSpans, value: value, timestamp: timestamp, line: sampleLine)
                }
            }
        }
        (previousNameStart, previousNameCount) = nameQuoted ? (0, 0) : (nameStart, nameEnd - nameStart)
        swap(&labels, &previous)
    }

    /// Text format allows blanks between the name and `{`; only skip them when a brace follows.
    private mutating func skipBlanksIfBraceFollows() {
        var k = i
        while k < n && (p[k] == UInt8(ascii: " ") || p[k] == UInt8(ascii: "\t")) { k += 1 }
        if k < n && p[k] == UInt8(ascii: "{") { i = k }
    }

    /// `{...}` at `i`: labels into `labels` (or, for an exemplar, only checked). A quoted
    /// string followed by `,` or `}` is the metric name (Prometheus' UTF-8 names).
    private mutating func labelSet(exemplar: Bool, nameStart: inout Int, nameEnd: inout Int, nameEscaped: inout Bool) throws(ScrapeParseError) {
        let text = format == .prometheusText
        i += 1
        while true {
            if text { skipBlanks() }
            guard i < n else { throw fail(text ? "syntax" : "missing_eof", "unterminated label set") }
            if p[i] == UInt8(ascii: "}") { i += 1; return }
            var ln = LabelSpan(nameStart: i, nameEnd: i, nameEscaped: false, valueStart: 0, valueEnd: 0, valueEscaped: false)
            if Self.isLabelStart(p[i]) {
                let k = labels.count
                if k < previous.count && !previous[k].nameQuoted {
                    let before = previous[k]
                    i = scan(from: i, like: before.nameStart, count: before.nameEnd - before.nameStart, lo: Self.labelLow, hi: Self.labelHigh)
                } else {
                    i = scan(from: i, lo: Self.labelLow, hi: Self.labelHigh)
                }
                ln.nameEnd = i
            } else if p[i] == UInt8(ascii: "\"") {
                let q = try quoted(allowNewline: false)
                if q.highBit && !UTF8Check.isValid(p, q.start, q.end) { throw fail("invalid_utf8", "name is not valid UTF-8") }
                if text { skipBlanks() }
                if i < n && (p[i] == UInt8(ascii: ",") || p[i] == UInt8(ascii: "}")) {
                    guard !exemplar else { throw fail("syntax", "expected label name") }
                    guard nameStart < 0 else { throw fail("syntax", "metric name already set") }
                    (nameStart, nameEnd, nameEscaped) = (q.start, q.end, q.escaped)
                    if p[i] == UInt8(ascii: ",") { i += 1 }
                    continue
                }
                (ln.nameStart, ln.nameEnd, ln.nameEscaped, ln.nameQuoted) = (q.start, q.end, q.escaped, true)
            } else {
                throw fail("syntax", "expected label name")
            }
            if text { skipBlanks() }
            guard i < n && p[i] == UInt8(ascii: "=") else { throw fail("syntax", "expected '=' after label name") }
            i += 1
            if text { skipBlanks() }
            guard i < n && p[i] == UInt8(ascii: "\"") else { throw fail("syntax", "expected quoted label value") }
            let v = try quoted(allowNewline: text && !exemplar)
            if v.highBit && !UTF8Check.isValid(p, v.start, v.end) { throw fail("invalid_utf8", "label value is not valid UTF-8") }
            (ln.valueStart, ln.valueEnd, ln.valueEscaped) = (v.start, v.end, v.escaped)
            if !exemplar { labels.append(ln) }
            if text {
                skipBlanks()
                if i < n && p[i] == UInt8(ascii: ",") { i += 1 }
            } else {
                guard i < n else { throw fail("missing_eof", "body does not end with # EOF") }
                if p[i] == UInt8(ascii: ",") {
                    i += 1
                } else if p[i] != UInt8(ascii: "}") {
                    throw fail("syntax", "expected ',' or '}' after label value")
                }
            }
        }
    }

    /// OpenMetrics exemplar after ` # `: `{labels} value [timestamp]`; checked, then dropped.
    private mutating func exemplar() throws(ScrapeParseError) {
        var s = -1, e = -1, esc = false
        try labelSet(exemplar: true, nameStart: &s, nameEnd: &e, nameEscaped: &esc)
        guard i < n else { throw fail("missing_eof", "body does not end with # EOF") }
        guard p[i] == UInt8(ascii: " ") else { throw fail("syntax", "expected a value after exemplar labels") }
        i += 1
        let vs = i
        while i < n, p[i] != UInt8(ascii: " "), p[i] != UInt8(ascii: "\n") { i += 1 }
        guard i > vs else { throw fail("syntax", "expected a value after exemplar labels") }
        guard ExpositionNumber.parseDouble(p, vs, i) != nil else { throw fail("invalid_value", "exemplar value is not a number") }
        if i < n && p[i] == UInt8(ascii: " ") {
            i += 1
            let ts = i
            while i < n, p[i] != UInt8(ascii: " "), p[i] != UInt8(ascii: "\n") { i += 1 }
            guard i > ts else { throw fail("syntax", "expected an exemplar timestamp") }
            guard ExpositionNumber.parseSecondsAsMilliseconds(p, ts, i) != nil else { throw fail("invalid_timestamp", "exemplar timestamp is not a finite number of seconds") }
        }
    }
}
