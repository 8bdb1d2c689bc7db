/// Writes families as Prometheus text 0.0.4 or OpenMetrics 1.0.0 into a byte buffer
/// that its owner drains as it fills (`takeBytes`), so an exposition of any size is
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
    public private(set) var bytes: [UInt8] = []
    /// The current family's name as bytes, and the suffix its samples get.
    private var name: [UInt8] = []
    private var sampleSuffix: [UInt8] = []

    public init(format: ExpositionFormat, capacity: Int = 64 * 1024) {
        self.format = format
        bytes.reserveCapacity(capacity)
    }

    /// Hands over what has been written so far and starts an empty buffer.
    public mutating func takeBytes() -> [UInt8] {
        let taken = bytes
        bytes.removeAll(keepingCapacity: true)
        return taken
    }

    /// Ends the exposition: OpenMetrics requires a final `# EOF` line.
    public mutating func finish() {
        if format == .openMetrics {
            bytes.append(contentsOf: "# EOF\n".utf8)
        }
    }

    public mutating func beginFamily(_ header: FamilyHeader) {
        name = Array(header.name.utf8)
        sampleSuffix = format == .openMetrics && header.type == .counter && !header.name.hasSuffix("_total") ? Array("_total".utf8) : []
        bytes.append(contentsOf: "# HELP ".utf8)
        bytes.append(contentsOf: name)
        bytes.append(UInt8(ascii: " "))
        appendEscaped(header.exposedHelp.utf8, escapeQuotes: format == .openMetrics)
        bytes.append(contentsOf: "\n# TYPE ".utf8)
        bytes.append(contentsOf: name)
        bytes.append(UInt8(ascii: " "))
        switch format {
        case .prometheusText: bytes.append(contentsOf: header.type.prometheusTextName.utf8)
        case .openMetrics: bytes.append(contentsOf: header.type.openMetricsName.utf8)
        }
        bytes.append(UInt8(ascii: "\n"))
    }

    public mutating func sample(_ labels: SampleLabels, value: Double, startTimeUnixNano: UInt64?) {
        bytes.append(contentsOf: name)
        bytes.append(contentsOf: sampleSuffix)
        if labels.valueCount > 0 {
            bytes.append(UInt8(ascii: "{"))
            var first = true
            labels.forEach { label, value in
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                bytes.append(contentsOf: label.utf8)
                bytes.append(contentsOf: "=\"".utf8)
                appendEscaped(value, escapeQuotes: true)
                bytes.append(UInt8(ascii: "\""))
            }
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: " "))
        GoFloatFormat.append(value, to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
    }

    /// Backslash and newline are escaped everywhere; double quotes inside label values
    /// and, in OpenMetrics, inside HELP text.
    private mutating func appendEscaped<Bytes: Sequence<UInt8>>(_ text: Bytes, escapeQuotes: Bool) {
        for byte in text {
            switch byte {
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\"") where escapeQuotes: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            default: bytes.append(byte)
            }
        }
    }
}
