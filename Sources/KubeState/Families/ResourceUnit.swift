import KubeWatch

/// Units and values of resource quantities, by kube-state-metrics' rules
/// (`utils.go` and the pod and node generators).
enum ResourceUnit {
    /// A container's request or limit: CPU in cores, bytes for memory, storage,
    /// huge pages and attachable volumes, integers for extended resources; other
    /// resources are left out. One resource can match two rules (as upstream), so
    /// `body` is called for each match (in a callback, not an array: every container's
    /// every resource comes through here).
    static func pod(_ resource: String, _ quantity: Quantity, _ body: (_ unit: String, _ value: Double) -> Void) {
        switch resource {
        case "cpu": body("core", cores(quantity))
        case "memory", "storage", "ephemeral-storage": body("byte", quantity.doubleValue)
        default:
            if resource.hasPrefix("hugepages-") { body("byte", quantity.doubleValue) }
            if resource.hasPrefix("attachable-volumes-") { body("byte", quantity.doubleValue) }
            if isExtended(resource) { body("integer", quantity.doubleValue) }
        }
    }

    /// A node's capacity or allocatable: the pod rules' units, plus `pods` as an
    /// integer, and every value in thousandths (`cores`), memory included.
    static func node(_ resource: String, _ quantity: Quantity, _ body: (_ unit: String, _ value: Double) -> Void) {
        let value = cores(quantity)
        if resource == "pods" {
            body("integer", value)
        } else {
            pod(resource, quantity) { unit, _ in body(unit, value) }
        }
    }

    /// `convertValueToFloat64`: thousandths as a fraction, or whole units when the
    /// thousandths would not fit 64 bits.
    static func cores(_ quantity: Quantity) -> Double {
        if quantity.value > maxMilliValue { return quantity.doubleValue }
        return quantity.doubleMilliValue / 1000
    }

    /// `resource.MaxMilliValue`: the largest value whose thousandths fit an Int64.
    static let maxMilliValue = Int128(Int64.max / 1000)

    /// `isExtendedResourceName`: domain-qualified, outside `kubernetes.io/`, not a
    /// quota `requests.` name, and valid as a qualified name after `requests.`.
    static func isExtended(_ name: String) -> Bool {
        guard name.contains("/"), !name.contains("kubernetes.io/"), !name.hasPrefix("requests.") else { return false }
        return QualifiedName.isValid("requests." + name)
    }
}

/// Kubernetes' `IsQualifiedName`: an optional DNS-subdomain prefix and `/`, then a
/// name of at most 63 characters, alphanumeric at both ends, `-`, `_`, `.` inside.
enum QualifiedName {
    static func isValid(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return isName(parts[0])
        case 2: return isSubdomain(parts[0]) && isName(parts[1])
        default: return false
        }
    }

    private static func isAlphanumeric(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber)
    }

    private static func isName(_ name: Substring) -> Bool {
        guard !name.isEmpty, name.count <= 63, let first = name.first, let last = name.last,
              isAlphanumeric(first), isAlphanumeric(last) else { return false }
        return name.allSatisfy { isAlphanumeric($0) || $0 == "-" || $0 == "_" || $0 == "." }
    }

    private static func isSubdomain(_ prefix: Substring) -> Bool {
        guard !prefix.isEmpty, prefix.count <= 253 else { return false }
        return prefix.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            guard let first = label.first, let last = label.last else { return false }
            let lower: (Character) -> Bool = { $0.isASCII && ($0.isLowercase || $0.isNumber) }
            return lower(first) && lower(last) && label.allSatisfy { lower($0) || $0 == "-" }
        }
    }
}
