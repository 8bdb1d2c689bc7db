/// A `Status` object from the API server: what an error response or a watch ERROR
/// event carries (`{"kind":"Status","code":410,"reason":"Expired",...}`).
public struct APIStatus: Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    public var reason: String
    public var message: String

    public var description: String { "\(code) \(reason): \(message)" }

    /// Reads a Status body; a body that is not one still gives the HTTP code.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, httpStatus: Int) -> APIStatus {
        var status = APIStatus(code: httpStatus, reason: "", message: "")
        var reader = JSONReader(bytes)
        try? reader.readObject { reader, key in
            switch true {
            case key == "code": status.code = Int(try reader.readInt() ?? Int64(httpStatus))
            case key == "reason": status.reason = try reader.readString() ?? ""
            case key == "message": status.message = try reader.readString() ?? ""
            default: try reader.skipValue()
            }
        }
        return status
    }

    /// 410 Gone / `Expired`: the resourceVersion or continue token is older than etcd keeps.
    var isExpired: Bool { code == 410 || reason == "Expired" || reason == "Gone" }

    /// The watch cache has not reached the version a list asked for (504, cause
    /// `ResourceVersionTooLarge`; older servers say it only in the message).
    var isTooLargeResourceVersion: Bool { message.contains("Too large resource version") }
}
