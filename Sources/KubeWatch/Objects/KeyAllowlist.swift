/// Which label or annotation keys of an object to keep (kube-state-metrics'
/// `--metric-labels-allowlist` / `--metric-annotations-allowlist` for one resource).
/// Keys not kept are dropped while decoding, so they cost no memory.
public enum KeyAllowlist: Sendable, Equatable {
    case none
    case all
    /// Exact keys, and patterns with one `*` (`app.kubernetes.io/*`) as (prefix, suffix).
    case keys(Set<String>, patterns: [Pattern] = [])

    public struct Pattern: Sendable, Equatable {
        var prefix: String
        var suffix: String
    }

    /// As kube-state-metrics reads an allowlist: `*` as the first entry allows every
    /// key (elsewhere it is ignored); an entry with one `*` is a wildcard pattern;
    /// entries with more are ignored.
    public init(_ entries: [String]) {
        if entries.isEmpty {
            self = .none
        } else if entries.first == "*" {
            self = .all
        } else {
            var exact = Set<String>()
            var patterns: [Pattern] = []
            for entry in entries {
                let parts = entry.split(separator: "*", omittingEmptySubsequences: false)
                switch parts.count {
                case 1: exact.insert(entry)
                case 2 where entry != "*": patterns.append(Pattern(prefix: String(parts[0]), suffix: String(parts[1])))
                default: continue
                }
            }
            self = .keys(exact, patterns: patterns)
        }
    }

    public func contains(_ key: String) -> Bool {
        switch self {
        case .none: false
        case .all: true
        case .keys(let keys, let patterns):
            keys.contains(key) || patterns.contains { pattern in
                key.utf8.count >= pattern.prefix.utf8.count + pattern.suffix.utf8.count
                    && key.hasPrefix(pattern.prefix) && key.hasSuffix(pattern.suffix)
            }
        }
    }

    public var isNone: Bool { self == .none }
}
