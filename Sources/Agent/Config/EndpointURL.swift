/// The `user:password@` of an endpoint URL is a secret. It is never written to a log or
/// an error message (`redacted`), and never handed to a transport, whose errors name
/// the host it failed to reach (`splitUserinfo`): it becomes a Basic `authorization`
/// header instead, as Go's HTTP client (and so the Collector's exporters) does with it.
enum EndpointURL {
    /// What replaces the userinfo wherever a URL is shown.
    static let mask = "***"

    /// `url` without its userinfo, and the userinfo, still percent-encoded (nil when
    /// there is none).
    static func splitUserinfo(_ url: String) -> (url: String, userinfo: String?) {
        guard let scheme = url.range(of: "://") else { return (url, nil) }
        let rest = url[scheme.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard let at = authority.lastIndex(of: "@") else { return (url, nil) }
        return (String(url[..<scheme.upperBound] + url[url.index(after: at)...]), String(url[scheme.upperBound..<at]))
    }

    /// `text` with the userinfo of every URL in it replaced by `***`:
    /// `https://user:secret@host/` → `https://***@host/`.
    static func redacted(_ text: String) -> String {
        guard text.contains("@") else { return text }
        var out = ""
        var rest = Substring(text)
        while let scheme = rest.range(of: "://") {
            out += rest[..<scheme.upperBound]
            rest = rest[scheme.upperBound...]
            let authority = rest.prefix { !"/?#\"' \t\n<>".contains($0) }
            if let at = authority.lastIndex(of: "@") {
                out += mask
                rest = rest[at...]
            }
        }
        return out + rest
    }

    /// One endpoint as configured, for a message: its userinfo masked, even when the
    /// scheme is missing (`user:secret@host:4317`).
    static func redactedEndpoint(_ endpoint: String) -> String {
        if endpoint.contains("://") { return redacted(endpoint) }
        let authority = endpoint.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard let at = authority.lastIndex(of: "@") else { return endpoint }
        return mask + endpoint[at...]
    }

    /// The `authorization` header value for a URL's userinfo (`user:password`,
    /// percent-decoded, then base64 as RFC 7617 has it).
    static func basicAuthorization(_ userinfo: String) -> String {
        "Basic " + base64(percentDecoded(userinfo))
    }

    private static func percentDecoded(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
               let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let count = min(3, bytes.count - index)
            var group = UInt32(bytes[index]) << 16
            if count > 1 { group |= UInt32(bytes[index + 1]) << 8 }
            if count > 2 { group |= UInt32(bytes[index + 2]) }
            for position in 0..<4 {
                out.append(position <= count ? alphabet[Int(group >> UInt32(18 - 6 * position) & 63)] : UInt8(ascii: "="))
            }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
