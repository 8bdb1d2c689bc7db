/// The Prometheus rules for metric and label names.
public enum MetricName {
    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`
    public static func isValidMetricName(_ name: String) -> Bool {
        isValid(name, allowColon: true)
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`
    public static func isValidLabelName(_ name: String) -> Bool {
        isValid(name, allowColon: false)
    }

    /// Replaces every Unicode scalar that may not appear in a label name with one `_`
    /// (Go's regexp `[^a-zA-Z0-9_]` works per rune), and prefixes `_` when the name
    /// would start with a digit. This is the rule kube-state-metrics and node_exporter
    /// apply to keys taken from the outside.
    public static func sanitizedLabelName(_ name: String) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(name.utf8.count + 1)
        for scalar in name.unicodeScalars {
            let byte = scalar.isASCII ? UInt8(scalar.value) : 0
            bytes.append(isWordByte(byte) ? byte : UInt8(ascii: "_"))
        }
        if let first = bytes.first, isDigit(first) { bytes.insert(UInt8(ascii: "_"), at: 0) }
        if bytes.isEmpty { bytes.append(UInt8(ascii: "_")) }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func isValid(_ name: String, allowColon: Bool) -> Bool {
        var first = true
        for byte in name.utf8 {
            let ok = isWordByte(byte) || (allowColon && byte == UInt8(ascii: ":"))
            if !ok || (first && isDigit(byte)) { return false }
            first = false
        }
        return !first
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }
}
