/// `ip_family` of an address as Go's `netip.ParseAddr` and `Unmap` see it: "4" for
/// IPv4 and IPv4-mapped IPv6, "6" for other IPv6 (zones and embedded IPv4 included),
/// nil for what does not parse (an IPv4 octet with a leading zero among it).
enum IPAddressFamily {
    static func of(_ text: String) -> String? {
        if parseIPv4(Substring(text)) != nil { return "4" }
        guard let bytes = parseIPv6(text) else { return nil }
        let mapped = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
        return mapped ? "4" : "6"
    }

    /// The address as a 32-bit number. Byte by byte: every pod's IPs go through here
    /// on every change of the pod.
    static func parseIPv4(_ text: Substring) -> UInt32? {
        var address: UInt32 = 0, octet: UInt32 = 0, digits = 0, octets = 0, leadingZero = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, octets < 3 else { return nil }
                address = address << 8 | octet
                octets += 1
                octet = 0
                digits = 0
                leadingZero = false
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 3, !leadingZero else { return nil }
            leadingZero = digits == 0 && byte == UInt8(ascii: "0")
            octet = octet * 10 + UInt32(byte - UInt8(ascii: "0"))
            digits += 1
            guard octet <= 255 else { return nil }
        }
        guard digits > 0, octets == 3 else { return nil }
        return address << 8 | octet
    }

    static func parseIPv6(_ text: String) -> [UInt8]? {
        var address = Substring(text)
        if let percent = address.firstIndex(of: "%") {
            guard address.index(after: percent) < address.endIndex else { return nil }
            address = address[..<percent]
        }
        guard address.contains(":") else { return nil }
        var groups: [UInt16] = []
        var tail: [UInt16] = []
        var sawGap = false
        let halves = address.split(separator: "::", omittingEmptySubsequences: false)
        guard halves.count <= 2 else { return nil }
        sawGap = halves.count == 2
        func parse(_ part: String, into out: inout [UInt16], last: Bool) -> Bool {
            guard !part.isEmpty else { return true }
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, field) in fields.enumerated() {
                if last && index == fields.count - 1 && field.contains(".") {
                    guard let v4 = parseIPv4(field) else { return false }
                    out.append(UInt16(truncatingIfNeeded: v4 >> 16))
                    out.append(UInt16(truncatingIfNeeded: v4))
                    continue
                }
                guard !field.isEmpty, field.count <= 4, let value = UInt16(field, radix: 16) else { return false }
                out.append(value)
            }
            return true
        }
        guard parse(String(halves[0]), into: &groups, last: !sawGap) else { return nil }
        if sawGap { guard parse(String(halves[1]), into: &tail, last: true) else { return nil } }
        let total = groups.count + tail.count
        if sawGap {
            guard total < 8 else { return nil }
            groups += Array(repeating: 0, count: 8 - total) + tail
        } else {
            guard total == 8 else { return nil }
        }
        return groups.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }
}
