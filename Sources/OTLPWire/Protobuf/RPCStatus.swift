import COTLP
import CProtobufC

/// A google.rpc.Status, as gRPC carries it in `grpc-status-details-bin` and OTLP/HTTP
/// in the body of an error response: its message, and the delay of a
/// google.rpc.RetryInfo among its details. Decoded with protobuf-c, from the schema in
/// proto/google/rpc.
struct RPCStatus: Sendable, Equatable {
    var code: Int32
    var message: String
    /// From google.rpc.RetryInfo: how long the server asks the client to wait.
    var retryDelay: Duration?

    /// Nil when the bytes are not a google.rpc.Status.
    init?(bytes: [UInt8]) {
        guard !bytes.isEmpty else { return nil }
        let decoded = bytes.withUnsafeBufferPointer { buffer -> RPCStatus? in
            guard let status = google__rpc__status__unpack(nil, buffer.count, buffer.baseAddress) else { return nil }
            defer { google__rpc__status__free_unpacked(status, nil) }
            var delay: Duration?
            for index in 0..<status.pointee.n_details {
                guard let any = status.pointee.details[index] else { continue }
                guard String(cString: any.pointee.type_url).hasSuffix("google.rpc.RetryInfo") else { continue }
                guard let info = google__rpc__retry_info__unpack(nil, any.pointee.value.len, any.pointee.value.data) else { break }
                defer { google__rpc__retry_info__free_unpacked(info, nil) }
                if let retry = info.pointee.retry_delay {
                    delay = .seconds(retry.pointee.seconds) + .nanoseconds(Int64(retry.pointee.nanos))
                }
                break
            }
            let message = status.pointee.message.map { String(cString: $0) } ?? ""
            return RPCStatus(code: status.pointee.code, message: message, retryDelay: delay)
        }
        guard let decoded else { return nil }
        self = decoded
    }

    init(code: Int32, message: String, retryDelay: Duration?) {
        self.code = code
        self.message = message
        self.retryDelay = retryDelay
    }
}
