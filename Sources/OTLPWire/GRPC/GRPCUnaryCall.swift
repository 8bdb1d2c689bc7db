import HTTP2Transport

/// One unary gRPC call over an HTTP2Client: framing, optional gzip, the headers
/// gRPC servers require, and the status from trailers, from a Trailers-Only
/// response, from the HTTP status, or from the transport failure.
public struct GRPCUnaryCall: Sendable {
    public typealias Compression = ExportCompression

    public struct Result: Sendable {
        public var status: GRPCStatus
        /// The response message (decompressed), present when the status is OK.
        public var message: [UInt8]?
    }

    public let client: HTTP2Client
    public var compression: Compression
    public var timeout: Duration
    /// Extra metadata (lowercase names), e.g. authorization or tenant headers.
    public var metadata: [(name: String, value: String)]
    public var userAgent: String

    /// Responses larger than this (the gRPC default) are refused.
    public static let maximumResponseBytes = 4 * 1024 * 1024

    public init(client: HTTP2Client, compression: Compression, timeout: Duration,
                metadata: [(name: String, value: String)] = [], userAgent: String) {
        self.client = client
        self.compression = compression
        self.timeout = timeout
        self.metadata = metadata
        self.userAgent = userAgent
    }

    /// Calls `path` (`/package.Service/Method`) with one protobuf message.
    public func call(path: String, message: [UInt8]) async -> Result {
        var body: [UInt8]
        var headers: [(name: String, value: String)] = [
            ("content-type", "application/grpc"), ("te", "trailers"),
            ("grpc-timeout", Self.timeoutHeader(timeout)), ("grpc-accept-encoding", "identity,gzip"),
            ("user-agent", userAgent),
        ]
        switch compression {
        case .none:
            body = GRPCMessageFraming.frame(message, compressed: false)
        case .gzip:
            do {
                body = GRPCMessageFraming.frame(try Gzip.compress(message), compressed: true)
                headers.append(("grpc-encoding", "gzip"))
            } catch {
                body = GRPCMessageFraming.frame(message, compressed: false)
            }
        }
        headers += metadata.filter { !$0.name.hasPrefix("grpc-") && !$0.name.hasPrefix(":") }
        let request = HTTP2Request(method: "POST", path: path, headers: headers, body: body, timeout: timeout,
                                   maximumResponseBytes: Self.maximumResponseBytes + GRPCMessageFraming.prefixLength)
        let response: HTTP2Response
        do {
            response = try await client.send(request)
        } catch {
            return Result(status: .fromTransport(error), message: nil)
        }
        return Self.interpret(response)
    }

    /// The call's outcome from a complete HTTP/2 response.
    static func interpret(_ response: HTTP2Response) -> Result {
        // grpc-status is in the trailers, or in the headers of a Trailers-Only response.
        let fields = response.trailers.isEmpty ? response.headers : response.trailers
        let statusText = fields.first { $0.name == "grpc-status" }?.value
        guard response.status == 200, let statusText else {
            return Result(status: .fromHTTPStatus(response.status), message: nil)
        }
        guard let number = Int(statusText), let code = GRPCStatusCode(rawValue: number) else {
            return Result(status: GRPCStatus(code: .unknown, message: "unrecognised grpc-status \(statusText)"), message: nil)
        }
        let text = GRPCMessageText.decode(fields.first { $0.name == "grpc-message" }?.value ?? "")
        let delay = fields.first { $0.name == "grpc-status-details-bin" }.flatMap { GRPCStatusDetails.retryDelay(fromTrailer: $0.value) }
        var status = GRPCStatus(code: code, message: text, retryDelay: delay)
        guard code == .ok else { return Result(status: status, message: nil) }

        var deframer = GRPCMessageFraming.Deframer(maximumMessageLength: maximumResponseBytes)
        deframer.append(response.body)
        do {
            guard let framed = try deframer.next() else {
                // OK without a message is legal for an empty response.
                return Result(status: status, message: [])
            }
            if framed.compressed {
                guard response.header("grpc-encoding") == "gzip" else {
                    status = GRPCStatus(code: .internalError, message: "compressed response without a known grpc-encoding")
                    return Result(status: status, message: nil)
                }
                return Result(status: status, message: try Gzip.decompress(framed.bytes, limit: maximumResponseBytes))
            }
            return Result(status: status, message: framed.bytes)
        } catch {
            return Result(status: GRPCStatus(code: .internalError, message: "unreadable response message: \(error)"), message: nil)
        }
    }

    /// `grpc-timeout`: at most 8 digits and a unit.
    static func timeoutHeader(_ timeout: Duration) -> String {
        let milliseconds = max(1, timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        if milliseconds < 100_000_000 { return "\(milliseconds)m" }
        return "\(min(99_999_999, milliseconds / 1000))S"
    }
}
