/// Where a client connects: `http://host:port` (HTTP/2 over cleartext, prior
/// knowledge) or `https://host:port` (HTTP/2 over TLS), with an optional path prefix.
public struct HTTP2Endpoint: Sendable, Hashable, CustomStringConvertible {
    public var secure: Bool
    public var host: String
    public var port: Int
    /// Path the endpoint URL carried (without a trailing slash), e.g. `/otlp`.
    public var pathPrefix: String

    public struct InvalidURL: Error, Equatable, CustomStringConvertible {
        public var url: String
        public var reason: String
        public var description: String { "invalid endpoint \"\(url)\": \(reason)" }
    }

    public init(secure: Bool, host: String, port: Int, pathPrefix: String = "") {
        self.secure = secure
        self.host = host
        self.port = port
        self.pathPrefix = pathPrefix
    }

    public init(url: String) throws(InvalidURL) {
        let secure: Bool
        var rest: Substring
        if url.hasPrefix("https://") {
            secure = true
            rest = url.dropFirst(8)
        } else if url.hasPrefix("http://") {
            secure = false
            rest = url.dropFirst(7)
        } else {
            throw InvalidURL(url: url, reason: "the scheme must be http:// or https://")
        }
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            path = String(rest[slash...])
            rest = rest[..<slash]
        }
        while path.hasSuffix("/") { path.removeLast() }
        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw InvalidURL(url: url, reason: "unclosed [ in the host") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw InvalidURL(url: url, reason: "unexpected text after the host") }
                portText = after.dropFirst()
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        guard !host.isEmpty else { throw InvalidURL(url: url, reason: "no host") }
        var port = secure ? 443 : 80
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw InvalidURL(url: url, reason: "bad port \"\(portText)\"")
            }
            port = value
        }
        self.init(secure: secure, host: String(host), port: port, pathPrefix: path)
    }

    /// The `:authority` pseudo-header: host and port, IPv6 in brackets.
    public var authority: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    public var description: String { "\(secure ? "https" : "http")://\(authority)\(pathPrefix)" }
}
