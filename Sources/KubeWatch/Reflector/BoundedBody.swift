/// An error response's body read up to a limit, so that what a peer sends is never
/// held without bound: enough for the Status message it carries.
struct BoundedBody {
    let limit: Int
    private(set) var bytes: [UInt8] = []
    /// More arrived than the limit: `bytes` holds only its first `limit` bytes.
    private(set) var truncated = false

    init(limit: Int) {
        self.limit = limit
    }

    /// Keeps what fits; false once the body passes the limit (stop reading then).
    mutating func append(_ chunk: [UInt8]) -> Bool {
        let room = limit - bytes.count
        if chunk.count <= room {
            bytes += chunk
            return true
        }
        bytes += chunk.prefix(max(room, 0))
        truncated = true
        return false
    }

    /// The Status an error response carries. A body cut short (or not a Status) whose
    /// message cannot be read gives its first characters instead, marked as cut.
    func apiStatus(httpStatus: Int) -> APIStatus {
        var status = bytes.withUnsafeBufferPointer { APIStatus.parse($0, httpStatus: httpStatus) }
        if status.message.isEmpty && !bytes.isEmpty {
            let shown = 512
            status.message = String(decoding: bytes.prefix(shown), as: UTF8.self)
            if truncated || bytes.count > shown { status.message += "… (cut; more than \(bytes.count) bytes)" }
        }
        return status
    }
}
