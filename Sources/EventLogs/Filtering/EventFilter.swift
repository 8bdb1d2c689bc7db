/// Which events become records (`logs_streaming`'s `namespaces_exclude`, `types`,
/// `involved_kinds`, `reasons_exclude`; `namespaces` selects the streams instead). What
/// a field selector can say is also sent to the server, which then never sends the
/// rest; the filter is applied to every event either way.
public struct EventFilter: Sendable, Equatable {
    public var excludedNamespaces: Set<String>
    /// Empty: every type.
    public var types: Set<String>
    /// Empty: every kind.
    public var involvedKinds: Set<String>
    public var excludedReasons: Set<String>

    public init(excludedNamespaces: Set<String> = [], types: Set<String> = [], involvedKinds: Set<String> = [],
                excludedReasons: Set<String> = []) {
        self.excludedNamespaces = excludedNamespaces
        self.types = types
        self.involvedKinds = involvedKinds
        self.excludedReasons = excludedReasons
    }

    public func admits(_ event: KubeEvent) -> Bool {
        !excludedNamespaces.contains(event.metadata.namespace)
            && (types.isEmpty || types.contains(event.type))
            && (involvedKinds.isEmpty || involvedKinds.contains(event.involvedObject.kind))
            && !excludedReasons.contains(event.reason)
    }

    /// The part the API can apply (`/api/v1/events` field selectors are conjunctions:
    /// a single allowed type or kind, and any number of exclusions); nil when none.
    public var fieldSelector: String? {
        var terms = excludedNamespaces.sorted().map { "metadata.namespace!=\(Self.escaped($0))" }
        if types.count == 1, let type = types.first { terms.append("type=\(Self.escaped(type))") }
        if involvedKinds.count == 1, let kind = involvedKinds.first { terms.append("involvedObject.kind=\(Self.escaped(kind))") }
        terms += excludedReasons.sorted().map { "reason!=\(Self.escaped($0))" }
        return terms.isEmpty ? nil : terms.joined(separator: ",")
    }

    /// Stable text naming the filter, for the checkpoint's configuration hash; names are
    /// escaped, so that no two filters give the same text.
    public var fingerprint: String {
        [excludedNamespaces, types, involvedKinds, excludedReasons].map { names in
            names.sorted().map { name in
                var out = ""
                for character in name {
                    if character == "\\" || character == "," || character == ";" { out.append("\\") }
                    out.append(character)
                }
                return out
            }.joined(separator: ",")
        }.joined(separator: ";")
    }

    /// A field selector value with `\`, `,` and `=` escaped, as the API parses them.
    static func escaped(_ value: String) -> String {
        var out = ""
        for character in value {
            if character == "\\" || character == "," || character == "=" { out.append("\\") }
            out.append(character)
        }
        return out
    }
}
