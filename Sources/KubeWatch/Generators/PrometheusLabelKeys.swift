/// kube-state-metrics' turning of Kubernetes label, annotation and selector keys into
/// Prometheus label names: invalid characters become `_`, camelCase becomes
/// snake_case, a prefix is added, and keys that collide after that are all renamed
/// `<name>_conflict1`, `<name>_conflict2`, … in sorted key order.
enum PrometheusLabelKeys {
    static func names(for entries: [(key: String, value: String)], prefix: String) -> (names: [String], values: [String]) {
        let sorted = entries.sorted { $0.key < $1.key }
        var names: [String] = []
        var values: [String] = []
        names.reserveCapacity(sorted.count)
        values.reserveCapacity(sorted.count)
        var conflicts: [String: (count: Int, first: Int)] = [:]
        for (key, value) in sorted {
            var name = prefix + "_" + snakeCase(sanitized(key))
            if let conflict = conflicts[name] {
                if conflict.count == 1 { names[conflict.first] += "_conflict1" }
                conflicts[name] = (conflict.count + 1, conflict.first)
                name += "_conflict\(conflict.count + 1)"
            } else {
                conflicts[name] = (1, names.count)
            }
            names.append(name)
            values.append(value)
        }
        return (names, values)
    }

    /// Every character outside `[a-zA-Z0-9_]` becomes `_`.
    static func sanitized(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_") ? scalar : "_"
        }))
    }

    /// `([a-z0-9])([A-Z])` → `$1_$2`, then lower case.
    static func snakeCase(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            if ("A"..."Z").contains(scalar), let previous, ("a"..."z").contains(previous) || ("0"..."9").contains(previous) {
                out.append("_")
            }
            out.append(contentsOf: String(scalar).lowercased().unicodeScalars)
            previous = scalar
        }
        return String(out)
    }
}
