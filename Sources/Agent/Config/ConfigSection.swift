import Yams

/// Collects the problems of one configuration file and remembers which keys it set.
final class ConfigReport {
    let file: String
    private(set) var diagnostics: [ConfigDiagnostic] = []
    /// Dotted paths of keys the file gave a (non-null) value; the environment may
    /// only fill the others.
    private(set) var explicitKeys: Set<String> = []
    /// Where each explicit key's value is, for checks made after the environment is applied.
    private(set) var marks: [String: Mark] = [:]

    init(file: String) {
        self.file = file
    }

    func problem(at mark: Mark?, _ message: String) {
        diagnostics.append(ConfigDiagnostic(
            file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, message: message))
    }

    func markExplicit(_ path: String, at mark: Mark?) {
        explicitKeys.insert(path)
        if let mark { marks[path] = mark }
    }
}

/// Strict typed access to one mapping of the YAML file. Every key read is marked
/// used; `finish()` reports the keys nobody read as unknown, with their position.
final class ConfigSection {
    let path: String
    private let mapping: Node.Mapping?
    private let report: ConfigReport
    private var knownKeys: [String] = []

    init(path: String, node: Node?, report: ConfigReport) {
        self.path = path
        self.report = report
        switch node {
        case .mapping(let mapping)?:
            self.mapping = mapping
        case nil:
            self.mapping = nil
        case let other?:
            self.mapping = nil
            if !other.isNull {
                report.problem(at: other.mark, "\(path.isEmpty ? "the configuration" : path): expected a mapping, got \(other.kindDescription)")
            }
        }
    }

    // MARK: Typed values

    func section(_ key: String) -> ConfigSection {
        ConfigSection(path: qualified(key), node: value(key), report: report)
    }

    func bool(_ key: String, default fallback: Bool) -> Bool {
        guard let node = value(key) else { return fallback }
        if case .bool(let value) = node.scalarValue { return value }
        return mismatch(node, key, "true or false", fallback)
    }

    func int(_ key: String, default fallback: Int, range: ClosedRange<Int>? = nil) -> Int {
        guard let node = value(key) else { return fallback }
        guard case .int(let value) = node.scalarValue else {
            return mismatch(node, key, "an integer", fallback)
        }
        if let range, !range.contains(value) {
            report.problem(at: node.mark, "\(qualified(key)): \(value) is out of range \(range.lowerBound)...\(range.upperBound)")
            return fallback
        }
        return value
    }

    /// An integer in `range`, or the word `auto`.
    func numberOrAuto(_ key: String, default fallback: KubeStateConfig.ShardSetting, range: ClosedRange<Int>) -> KubeStateConfig.ShardSetting {
        guard let node = value(key) else { return fallback }
        switch node.scalarValue {
        case .int(let value)?:
            guard range.contains(value) else {
                report.problem(at: node.mark, "\(qualified(key)): \(value) is out of range \(range.lowerBound)...\(range.upperBound)")
                return fallback
            }
            return .number(value)
        case .string("auto")?:
            return .auto
        default:
            return mismatch(node, key, "an integer or auto", fallback)
        }
    }

    func number(_ key: String, default fallback: Double, minimum: Double) -> Double {
        guard let node = value(key) else { return fallback }
        let value: Double?
        switch node.scalarValue {
        case .int(let integer)?: value = Double(integer)
        case .string(let text)? where node.scalar?.style == .plain: value = Double(text)
        default: value = nil
        }
        guard let value, value.isFinite else { return mismatch(node, key, "a number", fallback) }
        guard value >= minimum else {
            report.problem(at: node.mark, "\(qualified(key)): \(value) is below the minimum \(minimum)")
            return fallback
        }
        return value
    }

    func string(_ key: String, default fallback: String) -> String {
        guard let node = value(key) else { return fallback }
        guard let scalar = node.scalar else { return mismatch(node, key, "a string", fallback) }
        return scalar.string
    }

    func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, default fallback: Choice) -> Choice
    where Choice.RawValue == String {
        guard let node = value(key) else { return fallback }
        guard let scalar = node.scalar else { return mismatch(node, key, "a string", fallback) }
        guard let value = Choice(rawValue: scalar.string) else {
            let allowed = Choice.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            report.problem(at: node.mark, "\(qualified(key)): \"\(scalar.string)\" is not one of \(allowed)")
            return fallback
        }
        return value
    }

    /// A Go-syntax duration; `positive` rejects zero and negative values.
    func duration(_ key: String, default fallback: Duration, positive: Bool = true) -> Duration {
        guard let node = value(key) else { return fallback }
        guard let scalar = node.scalar else { return mismatch(node, key, "a duration", fallback) }
        switch ConfigValues.parseDuration(scalar.string) {
        case .success(let duration):
            if positive && duration <= .zero {
                report.problem(at: node.mark, "\(qualified(key)): duration must be greater than zero, got \"\(scalar.string)\"")
                return fallback
            }
            return duration
        case .failure(let error):
            report.problem(at: node.mark, "\(qualified(key)): invalid duration \"\(scalar.string)\": \(error.reason) (use a number with a unit, like 10s, 1m30s or 500ms)")
            return fallback
        }
    }

    func byteSize(_ key: String, default fallback: Int64) -> Int64 {
        guard let node = value(key) else { return fallback }
        guard let scalar = node.scalar else { return mismatch(node, key, "a size", fallback) }
        switch ConfigValues.parseByteSize(scalar.string) {
        case .success(let bytes):
            return bytes
        case .failure(let error):
            report.problem(at: node.mark, "\(qualified(key)): invalid size \"\(scalar.string)\": \(error.reason) (use bytes or a unit, like 64MiB or 500MB)")
            return fallback
        }
    }

    func stringList(_ key: String) -> [String] {
        guard let node = value(key) else { return [] }
        guard case .sequence(let sequence) = node else { return mismatch(node, key, "a list of strings", []) }
        var result: [String] = []
        for element in sequence {
            guard let scalar = element.scalar, !element.isNull else {
                report.problem(at: element.mark, "\(qualified(key)): expected a string in the list, got \(element.kindDescription)")
                continue
            }
            result.append(scalar.string)
        }
        return result
    }

    /// A mapping of strings whose values may be credentials (`headers`): a problem
    /// names the value's kind, never the value.
    func stringMap(_ key: String) -> [String: String] {
        guard let node = value(key) else { return [:] }
        guard case .mapping(let mapping) = node else {
            report.problem(at: node.mark, "\(qualified(key)): expected a mapping of strings, got \(node.kindDescription(quoting: false))")
            return [:]
        }
        var result: [String: String] = [:]
        for (name, value) in mapping {
            guard let nameScalar = name.scalar, let valueScalar = value.scalar, !value.isNull else {
                report.problem(at: value.mark ?? name.mark, "\(qualified(key)): expected string values, got \(value.kindDescription)")
                continue
            }
            result[nameScalar.string] = valueScalar.string
        }
        return result
    }

    /// A list of strings with where each one is, for checks against a vocabulary.
    func markedStringList(_ key: String) -> [(value: String, mark: Mark?)] {
        guard let node = value(key) else { return [] }
        guard case .sequence(let sequence) = node else { return mismatch(node, key, "a list of strings", []) }
        return sequence.compactMap { element in
            guard let scalar = element.scalar, !element.isNull else {
                report.problem(at: element.mark, "\(qualified(key)): expected a string in the list, got \(element.kindDescription)")
                return nil
            }
            return (scalar.string, element.mark)
        }
    }

    /// The keys of a mapping with where each one is (read after the mapping itself).
    func markedKeys(_ key: String) -> [(key: String, mark: Mark?)] {
        guard case .mapping(let mapping)? = mapping?[key] else { return [] }
        return mapping.compactMap { name, _ in name.scalar.map { ($0.string, name.mark) } }
    }

    /// Reports an unknown name among `known`, with the closest as a suggestion.
    func unknownName(_ name: String, at mark: Mark?, in key: String, what: String, known: [String]) {
        var message = "\(qualified(key)): unknown \(what) \"\(name)\""
        if let suggestion = closest(to: name, among: known) { message += " (did you mean \"\(suggestion)\"?)" }
        report.problem(at: mark, message)
    }

    func stringListMap(_ key: String) -> [String: [String]] {
        guard let node = value(key) else { return [:] }
        guard case .mapping(let mapping) = node else { return mismatch(node, key, "a mapping of string lists", [:]) }
        var result: [String: [String]] = [:]
        for (name, value) in mapping {
            guard let nameScalar = name.scalar else { continue }
            let inner = ConfigSection(path: qualified(key), node: .mapping(Node.Mapping([(name, value)])), report: report)
            result[nameScalar.string] = inner.stringList(nameScalar.string)
        }
        return result
    }

    /// The position of a key's value, for checks that span several keys.
    func mark(of key: String) -> Mark? {
        mapping?[key]?.mark
    }

    func problem(at key: String, _ message: String) {
        report.problem(at: mark(of: key), "\(qualified(key)): \(message)")
    }

    // MARK: Unknown keys

    /// Reports every key of this mapping that no accessor asked for.
    func finish() {
        guard let mapping else { return }
        for (key, _) in mapping {
            let name = key.scalar?.string ?? "?"
            guard !knownKeys.contains(name) else { continue }
            var message = "unknown key \"\(name)\"" + (path.isEmpty ? "" : " in \(path)")
            if let suggestion = closest(to: name, among: knownKeys) {
                message += " (did you mean \"\(suggestion)\"?)"
            }
            report.problem(at: key.mark, message)
        }
    }

    // MARK: Helpers

    private func qualified(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// The value node for `key`, nil when absent or null (`key:` with nothing after it).
    private func value(_ key: String) -> Node? {
        knownKeys.append(key)
        guard let node = mapping?[key], !node.isNull else { return nil }
        report.markExplicit(qualified(key), at: node.mark)
        return node
    }

    private func mismatch<T>(_ node: Node, _ key: String, _ expected: String, _ fallback: T) -> T {
        report.problem(at: node.mark, "\(qualified(key)): expected \(expected), got \(node.kindDescription)")
        return fallback
    }

    private func closest(to name: String, among candidates: [String]) -> String? {
        let scored = candidates.map { ($0, editDistance(name, $0)) }.filter { $0.1 <= 2 }
        return scored.min { $0.1 < $1.1 }?.0
    }

    private func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return a.isEmpty ? b.count : row[b.count]
    }
}

extension Node {
    /// What a scalar means under YAML 1.2's core schema: a quoted or `!!str`-tagged
    /// scalar is always a string; plain `true`/`false` are booleans, plain decimal,
    /// `0x` and `0o` numbers are integers, and plain `null`, `~` or nothing is null.
    enum ScalarValue: Equatable {
        case null, bool(Bool), int(Int), string(String)
    }

    var scalarValue: ScalarValue? {
        guard let scalar else { return nil }
        let text = scalar.string
        switch scalar.tag.description {
        case Tag.Name.str.rawValue: return .string(text)
        case Tag.Name.null.rawValue: return .null
        case "", Tag.Name.bool.rawValue, Tag.Name.int.rawValue: break  // implicit, or a type we parse below
        default: return .string(text)
        }
        guard scalar.style == .plain || scalar.style == .any else { return .string(text) }
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        if let value = Int(text) { return .int(value) }
        if text.hasPrefix("0x"), let value = Int(text.dropFirst(2), radix: 16) { return .int(value) }
        if text.hasPrefix("0o"), let value = Int(text.dropFirst(2), radix: 8) { return .int(value) }
        return .string(text)
    }

    var isNull: Bool { scalarValue == .null }

    /// How a node reads in an error message: the scalar itself, or its kind.
    var kindDescription: String { kindDescription(quoting: true) }

    /// A scalar quoted, or (`quoting: false`, for values that may be secret) only "a string".
    func kindDescription(quoting: Bool) -> String {
        switch self {
        case .scalar(let scalar): quoting ? "\"\(scalar.string)\"" : "a string"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }
}
