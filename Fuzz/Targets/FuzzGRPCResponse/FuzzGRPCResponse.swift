import HTTP2Transport
@testable import OTLPWire

/// libFuzzer entry for a gRPC response as the collector's server sends it. Input:
/// `grpc-status-details-bin` trailer text, a NUL byte, `grpc-message` text, a NUL byte,
/// then the body (length-prefixed messages, maybe gzip). The first byte's low bits pick
/// the grpc-status and whether the response is marked gzip. Runs the exporter's whole
/// interpretation (status, message text, RetryInfo details, deframing, decompression)
/// and the deframer over the body split at every third byte.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGRPCResponse(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard size > 0, let data else { return 0 }
    let control = data[0]
    let parts = UnsafeBufferPointer(start: data + 1, count: size - 1).split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
    let details = String(decoding: parts[0], as: UTF8.self)
    let message = parts.count > 1 ? String(decoding: parts[1], as: UTF8.self) : ""
    let body = parts.count > 2 ? Array(parts[2]) : []

    var trailers = [(name: "grpc-status", value: control & 1 == 0 ? "0" : "14"), (name: "grpc-message", value: message),
                    (name: "grpc-status-details-bin", value: details)]
    if control & 2 != 0 { trailers.removeLast() }
    var headers = [(name: "content-type", value: "application/grpc")]
    if control & 4 != 0 { headers.append((name: "grpc-encoding", value: "gzip")) }
    let response = HTTP2Response(status: 200, headers: headers, body: body, trailers: trailers)
    _ = GRPCUnaryCall.interpret(response)

    // The deframer as the stream feeds it: pieces of arbitrary size, then every message.
    var deframer = GRPCMessageFraming.Deframer(maximumMessageLength: Int(control >> 3) << 6)
    var offset = 0
    while offset < body.count {
        let end = min(body.count, offset + 3)
        deframer.append(body[offset..<end])
        offset = end
        do {
            while try deframer.next() != nil {}
        } catch {
            break
        }
    }
    _ = RPCStatus(bytes: Array(parts[0]))
    return 0
}
