import KubeWatch

/// kube-state-metrics' turning of Kubernetes label, annotation and selector keys into
/// Prometheus label names: invalid characters become `_`, camelCase becomes
/// snake_case, a prefix is added, and keys that collide after that are all renamed
/// `<name>_conflict1`, `<name>_conflict2`, … in sorted key order.
enum PrometheusLabelKeys {
    static func names(for entries: [KeyValue], prefix: String) -> (names: [String], values: [String]) {
        let sorted = entries.sorted { $0.key < $1.key }
        var names: [String] = []
        var values: [String] = []
        names.reserveCapacity(sorted.count)
        values.reserveCapacity(sorted.count)
        var taken = Set<String>()
        // By every name handed out (generated ones too): how many keys wanted it, and
        // which one got it first.
        var conflicts: [String: (count: Int, first: Int)] = [:]
        func nextFree(_ base: String, from start: Int) -> (name: String, number: Int) {
            var number = start
            while taken.contains("\(base)_conflict\(number)") { number += 1 }
            return ("\(base)_conflict\(number)", number)
        }
        func assign(_ name: String, at index: Int) {
            if index == names.count { names.append(name) } else { names[index] = name }
            taken.insert(name)
            if conflicts[name] == nil { conflicts[name] = (1, index) }
        }
        for entry in sorted {
            let (key, value) = (entry.key, entry.value)
            let base = prefix + "_" + snakeCase(sanitized(key))
            if var conflict = conflicts[base] {
                if conflict.count == 1 {
                    // The first holder of the name is renamed `_conflict1` (or the next free number).
                    taken.remove(names[conflict.first])
                    assign(nextFree(base, from: 1).name, at: conflict.first)
                }
                let (name, number) = nextFree(base, from: conflict.count + 1)
                conflict.count = number
                conflicts[base] = conflict
                assign(name, at: names.count)
            } else {
                assign(base, at: names.count)
            }
            values.append(value)
        }
        return (names, values)
    }

    /// Every character outside `[a-zA-Z0-9_]` becomes `_`.
    static func sanitized(_ text: String) -> String {
        // Most names (`cpu`, `memory`, most label keys but for their `/` and `.`) need
        // little or nothing: work on the bytes, and return the string itself when clean
        // (looked at before any copy is made).
        guard !text.utf8.allSatisfy(isNameByte) else { return text }
        var utf8 = Array(text.utf8)
        var changed = false
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            if !isNameByte(byte) {
                // One `_` per character, as the regular expression replaces characters.
                var length = 1
                if byte >= 0xF0 { length = 4 } else if byte >= 0xE0 { length = 3 } else if byte >= 0xC0 { length = 2 }
                utf8.replaceSubrange(index..<min(index + length, utf8.count), with: [UInt8(ascii: "_")])
                changed = true
            }
            index += 1
        }
        return changed ? String(decoding: utf8, as: UTF8.self) : text
    }

    /// A byte a label name keeps: `[a-zA-Z0-9_]`.
    private static func isNameByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
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
