/// Parsers for the value syntaxes `telegen.yaml` shares with Go agents.
enum ConfigValues {
    /// Go's `time.ParseDuration` syntax: `10s`, `1m30s`, `1.5h`, `500ms`, `0`.
    /// Returns the reason on failure.
    static func parseDuration(_ text: String) -> Result<Duration, ValueError> {
        var rest = Substring(text)
        var negative = false
        if let sign = rest.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" { return .success(.zero) }
        if rest.isEmpty { return .failure(ValueError("empty duration")) }
        var totalNanoseconds: Double = 0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, number != ".", number.filter({ $0 == "." }).count <= 1,
                  let value = Double(number) else {
                return .failure(ValueError("expected a number at \"\(rest)\""))
            }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            guard !unit.isEmpty else { return .failure(ValueError("missing unit")) }
            guard let scale = durationUnits[String(unit)] else {
                return .failure(ValueError("unknown unit \"\(unit)\""))
            }
            rest = rest.dropFirst(unit.count)
            totalNanoseconds += value * scale
        }
        guard totalNanoseconds <= 9.2e18 else { return .failure(ValueError("out of range")) }
        let nanoseconds = Int64(totalNanoseconds.rounded())
        return .success(.nanoseconds(negative ? -nanoseconds : nanoseconds))
    }

    private static let durationUnits: [String: Double] = [
        "ns": 1, "us": 1e3, "\u{00B5}s": 1e3, "\u{03BC}s": 1e3, "ms": 1e6,
        "s": 1e9, "m": 60e9, "h": 3600e9,
    ]

    /// A byte count: a plain integer, or a number with an SI (`kB`, `MB`, `GB`, `TB`)
    /// or IEC (`KiB`, `MiB`, `GiB`, `TiB`) unit; Kubernetes' `Ki`/`Mi`/`Gi` and `K`/`M`/`G` too.
    static func parseByteSize(_ text: String) -> Result<Int64, ValueError> {
        let trimmed = text.trimmingCharacters(in: " ")
        let number = trimmed.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        let unit = trimmed.dropFirst(number.count).trimmingCharacters(in: " ")
        guard !number.isEmpty, let value = Double(number) else {
            return .failure(ValueError("expected a number of bytes"))
        }
        guard let scale = sizeUnits[unit] else {
            return .failure(ValueError("unknown unit \"\(unit)\""))
        }
        let bytes = value * scale
        guard bytes < 9.2e18 else { return .failure(ValueError("out of range")) }
        guard bytes == bytes.rounded() else { return .failure(ValueError("not a whole number of bytes")) }
        return .success(Int64(bytes))
    }

    private static let sizeUnits: [String: Double] = [
        "": 1, "B": 1,
        "kB": 1e3, "KB": 1e3, "K": 1e3, "k": 1e3, "MB": 1e6, "M": 1e6, "GB": 1e9, "G": 1e9, "TB": 1e12, "T": 1e12,
        "KiB": 1024, "Ki": 1024, "MiB": 1_048_576, "Mi": 1_048_576,
        "GiB": 1_073_741_824, "Gi": 1_073_741_824, "TiB": 1_099_511_627_776, "Ti": 1_099_511_627_776,
    ]

    struct ValueError: Error, Equatable {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var slice = Substring(self)
        while slice.first == set { slice = slice.dropFirst() }
        while slice.last == set { slice = slice.dropLast() }
        return String(slice)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        String(self).trimmingCharacters(in: set)
    }
}
