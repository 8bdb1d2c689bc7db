import HTTP2Transport

/// A gRPC status code (grpc/grpc doc/statuscodes.md).
public enum GRPCStatusCode: Int, Sendable, CaseIterable, CustomStringConvertible {
    case ok = 0, cancelled, unknown, invalidArgument, deadlineExceeded, notFound, alreadyExists, permissionDenied
    case resourceExhausted, failedPrecondition, aborted, outOfRange, unimplemented, internalError, unavailable, dataLoss
    case unauthenticated

    public var description: String {
        switch self {
        case .ok: "OK"
        case .cancelled: "CANCELLED"
        case .unknown: "UNKNOWN"
        case .invalidArgument: "INVALID_ARGUMENT"
        case .deadlineExceeded: "DEADLINE_EXCEEDED"
        case .notFound: "NOT_FOUND"
        case .alreadyExists: "ALREADY_EXISTS"
        case .permissionDenied: "PERMISSION_DENIED"
        case .resourceExhausted: "RESOURCE_EXHAUSTED"
        case .failedPrecondition: "FAILED_PRECONDITION"
        case .aborted: "ABORTED"
        case .outOfRange: "OUT_OF_RANGE"
        case .unimplemented: "UNIMPLEMENTED"
        case .internalError: "INTERNAL"
        case .unavailable: "UNAVAILABLE"
        case .dataLoss: "DATA_LOSS"
        case .unauthenticated: "UNAUTHENTICATED"
        }
    }
}

/// The outcome of a gRPC call as the server (or the transport, when no server
/// answered) reported it.
public struct GRPCStatus: Sendable, Equatable, CustomStringConvertible {
    public var code: GRPCStatusCode
    public var message: String
    /// From google.rpc.RetryInfo in `grpc-status-details-bin`: how long the server asks
    /// the client to wait before trying again.
    public var retryDelay: Duration?

    public init(code: GRPCStatusCode, message: String = "", retryDelay: Duration? = nil) {
        self.code = code
        self.message = message
        self.retryDelay = retryDelay
    }

    public var description: String {
        var text = "\(code)"
        if !message.isEmpty { text += ": \(message)" }
        if let retryDelay { text += " (retry in \(retryDelay))" }
        return text
    }

    /// The status for a response without `grpc-status` (grpc/grpc
    /// doc/http-grpc-status-mapping.md).
    static func fromHTTPStatus(_ status: Int) -> GRPCStatus {
        let code: GRPCStatusCode = switch status {
        case 400: .internalError
        case 401: .unauthenticated
        case 403: .permissionDenied
        case 404: .unimplemented
        case 429, 502, 503, 504: .unavailable
        case 431: .internalError
        default: .unknown
        }
        return GRPCStatus(code: code, message: "HTTP status \(status) without a gRPC status")
    }

    /// The status for an exchange the transport could not complete.
    static func fromTransport(_ error: HTTP2Error) -> GRPCStatus {
        let code: GRPCStatusCode = switch error {
        case .connectFailed, .connectionLost, .refused: .unavailable
        case .timedOut, .idleTimedOut: .deadlineExceeded
        case .shutDown, .cancelled: .cancelled
        case .responseTooLarge: .resourceExhausted
        case .protocolViolation: .internalError
        case .streamReset(let code):
            switch code {
            case 7: .unavailable           // REFUSED_STREAM: nothing was processed
            case 8: .cancelled             // CANCEL
            case 11: .resourceExhausted    // ENHANCE_YOUR_CALM
            case 12: .permissionDenied     // INADEQUATE_SECURITY
            default: .internalError
            }
        }
        return GRPCStatus(code: code, message: "\(error)")
    }
}
