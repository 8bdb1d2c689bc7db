/// kube-state-metrics' `--metric-allowlist` / `--metric-denylist`: regular
/// expressions matched anywhere in a family name (Go's `MatchString`, unanchored), an
/// allowlist keeping only what matches, a denylist dropping it.
public struct FamilyFilter: Sendable {
    public struct InvalidPattern: Error, CustomStringConvertible {
        public var pattern: String
        public var description: String { "metric filter \"\(pattern)\" is not a regular expression" }
    }

    private let patterns: [String]
    private let isAllowlist: Bool

    public init(allow: [String], deny: [String]) throws(InvalidPattern) {
        isAllowlist = !allow.isEmpty
        patterns = isAllowlist ? allow : deny
        for pattern in patterns {
            guard (try? Regex(pattern)) != nil else { throw InvalidPattern(pattern: pattern) }
        }
    }

    public static let everything = try! FamilyFilter(allow: [], deny: [])

    public func includes(_ name: String) -> Bool {
        guard !patterns.isEmpty else { return true }
        // Regex values are not Sendable; compiling here keeps the filter a plain value.
        let matched = patterns.contains { pattern in (try? Regex(pattern)).map { name.firstMatch(of: $0) != nil } ?? false }
        return isAllowlist ? matched : !matched
    }
}
