/// Writes families as Prometheus text 0.0.4 or OpenMetrics 1.0.0 into a byte buffer
/// that its owner drains as it fills (`drainBytes`), so an exposition of any size is
/// streamed in bounded pieces.
///
/// HELP and TYPE are written once per family, also for families without samples
/// (kube-state-metrics does the same, and Prometheus keeps the metadata). Counter
/// family names keep their `_total` suffix in OpenMetrics too, as kube-state-metrics
/// writes them, so the same text passes `promtool check metrics` in both formats.
/// OpenMetrics requires counter samples to end in `_total`, so a counter family
/// without it (cAdvisor's `container_memory_failcnt`) gets the suffix on its samples
/// there, as client_golang writes it.
public struct ExpositionWriter: FamilySink {
    public let format: ExpositionFormat
    private let buffer: OutputBuffer
    /// The current family's name as bytes, and what its sample lines start with: the
    /// name and the suffix its samples get.
    private var name: [UInt8] = []
    private var samplePrefix: [UInt8] = []
    /// `name="` (with a leading `,` after the first) for each label name, end to end,
    /// made once per names array: a family's samples usually share one.
    private var nameTokens: [UInt8] = []
    private var nameTokenEnds: [Int] = []
    private var nameTokensFor: [String] = []

    public init(format: ExpositionFormat, capacity: Int = 64 * 1024) {
        self.format = format
        buffer = OutputBuffer(capacity: capacity)
    }

    /// What has been written and not yet taken.
    public var bytes: [UInt8] { buffer.bytes }

    /// How many bytes have been written and not yet taken.
    public var byteCount: Int { buffer.count }

    /// Calls `body` with what has been written so far, in place (valid only during the
    /// call), and starts an empty buffer: a response copies each chunk once, into the
    /// buffer the socket takes, instead of into an array first.
    public mutating func drainBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try buffer.drain(body)
    }

    /// Ends the exposition: OpenMetrics requires a final `# EOF` line.
    public mutating func finish() {
        if format == .openMetrics {
            append("# EOF\n")
        }
    }

    private func append(_ text: String) {
        var text = text
        text.withUTF8 { buffer.append($0) }
    }

    public mutating func beginFamily(_ header: FamilyHeader) {
        // Refilled in place: a scrape begins every family anew.
        name.removeAll(keepingCapacity: true)
        name.append(contentsOf: header.name.utf8)
        samplePrefix.removeAll(keepingCapacity: true)
        samplePrefix.append(contentsOf: name)
        if format == .openMetrics && header.type == .counter && !header.name.hasSuffix("_total") {
            samplePrefix.append(contentsOf: "_total".utf8)
        }
        append("# HELP ")
        buffer.append(name)
        buffer.append(UInt8(ascii: " "))
        appendEscaped(Array(header.exposedHelp.utf8), escapeQuotes: format == .openMetrics)
        append("\n# TYPE ")
        buffer.append(name)
        buffer.append(UInt8(ascii: " "))
        switch format {
        case .prometheusText: append(header.type.prometheusTextName)
        case .openMetrics: append(header.type.openMetricsName)
        }
        buffer.append(UInt8(ascii: "\n"))
    }

    public mutating func sample(_ labels: SampleLabels, value: Double, startTimeUnixNano: UInt64?) {
        buffer.append(samplePrefix)
        let count = min(labels.names.count, labels.valueCount)
        if count > 0 {
            if !Self.sameArray(labels.names, nameTokensFor) {
                nameTokensFor = labels.names
                nameTokens.removeAll(keepingCapacity: true)
                nameTokenEnds.removeAll(keepingCapacity: true)
                for (index, label) in labels.names.enumerated() {
                    if index > 0 { nameTokens.append(UInt8(ascii: ",")) }
                    nameTokens.append(contentsOf: label.utf8)
                    nameTokens.append(UInt8(ascii: "="))
                    nameTokens.append(UInt8(ascii: "\""))
                    nameTokenEnds.append(nameTokens.count)
                }
            }
            let buffer = self.buffer
            buffer.append(UInt8(ascii: "{"))
            nameTokens.withUnsafeBufferPointer { tokens in
                nameTokenEnds.withUnsafeBufferPointer { tokenEnds in
                    labels.withValues { values, plain in
                        var tokenStart = 0
                        for index in 0..<count {
                            buffer.append(UnsafeBufferPointer(rebasing: tokens[tokenStart..<tokenEnds[index]]))
                            if index < 64 && plain & (1 << UInt64(index)) != 0 {
                                buffer.append(values[index])
                            } else {
                                Self.appendEscapedValue(values[index], to: buffer)
                            }
                            buffer.append(UInt8(ascii: "\""))
                            tokenStart = tokenEnds[index]
                        }
                    }
                }
            }
            buffer.append(UInt8(ascii: "}"))
        }
        buffer.append(UInt8(ascii: " "))
        let written = GoFloatFormat.write(value, to: buffer.reserve(GoFloatFormat.maximumLength))
        buffer.commit(written)
        buffer.append(UInt8(ascii: "\n"))
    }

    /// A histogram as Prometheus writes one: cumulative `_bucket{le}` samples ending
    /// with `le="+Inf"` (the count), then `_sum` (when known) and `_count`; a summary as
    /// `{quantile}` samples, `_sum` and `_count`. Rare (applications' metrics only), so
    /// written plainly rather than fast.
    public mutating func distribution(_ labels: SampleLabels, _ value: Distribution, startTimeUnixNano: UInt64?, timeUnixNano: UInt64) {
        switch value {
        case .histogram(let histogram):
            var total: UInt64 = 0
            for (index, bound) in histogram.bounds.enumerated() {
                if index < histogram.bucketCounts.count { total &+= histogram.bucketCounts[index] }
                distributionLine("_bucket", labels, extra: ("le", bound), value: Double(total))
            }
            distributionLine("_bucket", labels, extra: ("le", .infinity), value: Double(histogram.count))
            if let sum = histogram.sum { distributionLine("_sum", labels, extra: nil, value: sum) }
            distributionLine("_count", labels, extra: nil, value: Double(histogram.count))
        case .summary(let summary):
            for quantile in summary.quantiles {
                distributionLine("", labels, extra: ("quantile", quantile.quantile), value: quantile.value)
            }
            distributionLine("_sum", labels, extra: nil, value: summary.sum)
            distributionLine("_count", labels, extra: nil, value: Double(summary.count))
        }
    }

    private func distributionLine(_ suffix: String, _ labels: SampleLabels, extra: (name: String, value: Double)?, value: Double) {
        buffer.append(name)
        append(suffix)
        var first = true
        if labels.valueCount > 0 || extra != nil {
            buffer.append(UInt8(ascii: "{"))
            labels.forEach { label, labelValue in
                if !first { buffer.append(UInt8(ascii: ",")) }
                first = false
                append(label)
                append("=\"")
                Self.appendEscapedValue(labelValue, to: buffer)
                buffer.append(UInt8(ascii: "\""))
            }
            if let extra {
                if !first { buffer.append(UInt8(ascii: ",")) }
                append(extra.name)
                append("=\"")
                let written = GoFloatFormat.write(extra.value, to: buffer.reserve(GoFloatFormat.maximumLength))
                buffer.commit(written)
                buffer.append(UInt8(ascii: "\""))
            }
            buffer.append(UInt8(ascii: "}"))
        }
        buffer.append(UInt8(ascii: " "))
        let written = GoFloatFormat.write(value, to: buffer.reserve(GoFloatFormat.maximumLength))
        buffer.commit(written)
        buffer.append(UInt8(ascii: "\n"))
    }

    /// Whether two arrays are the same storage (the usual case: one names array per
    /// family), or at least equal.
    private static func sameArray(_ a: [String], _ b: [String]) -> Bool {
        let same = a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress && a.count == b.count } }
        return same || a == b
    }

    /// A label value: copied whole unless it holds a byte to escape (`\\`, newline, `"`).
    private static func appendEscapedValue(_ value: UnsafeBufferPointer<UInt8>, to buffer: OutputBuffer) {
        if needsEscaping(value) {
            for byte in value { escape(byte, quotes: true, to: buffer) }
        } else {
            buffer.append(value)
        }
    }

    /// Whether `value` holds a backslash, a newline or a double quote, eight bytes at a
    /// time (a byte loop was most of a scrape's CPU).
    public static func needsEscaping(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = value.baseAddress else { return false }
        let stop = ByteWords.firstIndex(
            base, from: 0, to: value.count,
            stops: { ByteWords.matches($0, UInt8(ascii: "\\")) | ByteWords.matches($0, UInt8(ascii: "\"")) | ByteWords.matches($0, UInt8(ascii: "\n")) },
            isStop: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") })
        return stop < value.count
    }

    /// Backslash and newline are escaped everywhere; double quotes inside label values
    /// and, in OpenMetrics, inside HELP text.
    private func appendEscaped(_ text: [UInt8], escapeQuotes: Bool) {
        for byte in text { Self.escape(byte, quotes: escapeQuotes, to: buffer) }
    }

    @inline(__always)
    private static func escape(_ byte: UInt8, quotes: Bool, to buffer: OutputBuffer) {
        switch byte {
        case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "\n"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "n"))
        case UInt8(ascii: "\"") where quotes: buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "\""))
        default: buffer.append(byte)
        }
    }
}
