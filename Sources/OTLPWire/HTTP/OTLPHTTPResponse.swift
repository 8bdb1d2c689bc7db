/// An OTLP/HTTP response, judged as the OTLP specification says: 2xx is success (the
/// body an Export*ServiceResponse, possibly a partial success); 429, 502, 503 and 504
/// are retried, after `Retry-After` when the server sent one; anything else is
/// permanent, with the google.rpc.Status message of the body for the log line.
struct OTLPHTTPResponse: Sendable {
    var status: Int
    /// Lowercase names.
    var headers: [(name: String, value: String)]
    /// At most `OTLPHTTPTransport.maximumResponseBytes` (success) or
    /// `maximumErrorBytes` (anything else) of it.
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }

    func attempt(nowUnixSeconds: Int64) -> ExportAttempt {
        let label = String(status)
        switch status {
        case 200..<300:
            return ExportAttempt(outcome: .success(response: decodedBody() ?? []), status: label)
        case 429, 502, 503, 504:
            // `Retry-After: 0` (or a date already past) is left to the backoff: taken
            // literally, a server that keeps answering it would be called in a busy loop.
            let delay = header("retry-after").flatMap { RetryAfter.delay($0, nowUnixSeconds: nowUnixSeconds) }.flatMap { $0 > .zero ? $0 : nil }
            return ExportAttempt(outcome: .retryable(delay: delay), status: label, reason: reason())
        default:
            return ExportAttempt(outcome: .permanent, status: label, reason: reason())
        }
    }

    /// The body without its `Content-Encoding`; nil when it cannot be read.
    private func decodedBody() -> [UInt8]? {
        switch header("content-encoding")?.lowercased() {
        case nil, "identity": body
        case "gzip": try? Gzip.decompress(body, limit: OTLPHTTPTransport.maximumResponseBytes)
        default: nil
        }
    }

    /// `HTTP 400: <message>`: the google.rpc.Status message when the body is one, else
    /// the start of a text body (a proxy's error page), else the status alone.
    func reason() -> String {
        var text = "HTTP \(status)"
        guard let body = decodedBody(), !body.isEmpty else { return text }
        let contentType = header("content-type")?.lowercased() ?? ""
        if contentType.contains("protobuf"), let rpc = RPCStatus(bytes: body), !rpc.message.isEmpty {
            text += ": " + rpc.message
        } else if contentType.hasPrefix("text/") || contentType.contains("json") {
            let printable = body.prefix(200).map { $0 >= 0x20 && $0 < 0x7F ? $0 : UInt8(ascii: " ") }
            text += ": " + String(decoding: printable, as: UTF8.self)
        }
        return text
    }
}
