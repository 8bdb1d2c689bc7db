/// Renders metric families as Prometheus text 0.0.4 or OpenMetrics 1.0.0.
///
/// Families and series are written in the order given. HELP and TYPE are written
/// once per family, also for families without series (kube-state-metrics does the
/// same, and Prometheus keeps the metadata). Counter family names keep their
/// `_total` suffix in OpenMetrics too, as kube-state-metrics writes them, so the
/// same text passes `promtool check metrics` in both formats. OpenMetrics requires
/// counter samples to end in `_total`, so a counter family without it (cAdvisor's
/// `container_memory_failcnt`) gets the suffix on its samples there, as client_golang
/// writes it.
public struct ExpositionEncoder: Sendable {
    public let format: ExpositionFormat

    public init(format: ExpositionFormat) {
        self.format = format
    }

    /// Appends the families; call `finish` once after the last batch.
    public func append<Families: Sequence>(_ families: Families, to out: inout [UInt8])
    where Families.Element == MetricFamily {
        for family in families {
            append(family, to: &out)
        }
    }

    /// Ends the exposition: OpenMetrics requires a final `# EOF` line.
    public func finish(_ out: inout [UInt8]) {
        if format == .openMetrics {
            out.append(contentsOf: "# EOF\n".utf8)
        }
    }

    /// One complete exposition of the families.
    public func encode<Families: Sequence>(_ families: Families) -> [UInt8]
    where Families.Element == MetricFamily {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        append(families, to: &out)
        finish(&out)
        return out
    }

    public func append(_ family: MetricFamily, to out: inout [UInt8]) {
        let name = family.name.utf8
        out.append(contentsOf: "# HELP ".utf8)
        out.append(contentsOf: name)
        out.append(UInt8(ascii: " "))
        appendEscaped(family.exposedHelp, escapeQuotes: format == .openMetrics, to: &out)
        out.append(contentsOf: "\n# TYPE ".utf8)
        out.append(contentsOf: name)
        out.append(UInt8(ascii: " "))
        switch format {
        case .prometheusText: out.append(contentsOf: family.type.prometheusTextName.utf8)
        case .openMetrics: out.append(contentsOf: family.type.openMetricsName.utf8)
        }
        out.append(UInt8(ascii: "\n"))
        let needsTotal = format == .openMetrics && family.type == .counter && !family.name.hasSuffix("_total")
        for series in family.series {
            out.append(contentsOf: name)
            if needsTotal { out.append(contentsOf: "_total".utf8) }
            appendLabels(series.labels, to: &out)
            out.append(UInt8(ascii: " "))
            GoFloatFormat.append(series.value, to: &out)
            out.append(UInt8(ascii: "\n"))
        }
    }

    private func appendLabels(_ labels: LabelSet, to out: inout [UInt8]) {
        guard !labels.isEmpty else { return }
        out.append(UInt8(ascii: "{"))
        for index in labels.names.indices {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: labels.names[index].utf8)
            out.append(contentsOf: "=\"".utf8)
            appendEscaped(labels.values[index], escapeQuotes: true, to: &out)
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Backslash and newline are escaped everywhere; double quotes inside label values
    /// and, in OpenMetrics, inside HELP text. Swift strings are valid UTF-8 by
    /// construction, so no invalid byte can reach the output.
    private func appendEscaped(_ text: String, escapeQuotes: Bool, to out: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\"") where escapeQuotes: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            default: out.append(byte)
            }
        }
    }
}
