/// What a non-blocking read or write did.
enum IOResult {
    case transferred(Int)
    /// Nothing now; poll for these events and try again.
    case wouldBlock(events: Int16)
    case closed
    case failed(String)
}

extension IOResult {
    /// Why the stream cannot go on, for `.closed` and `.failed`.
    var failureReason: String {
        if case .failed(let reason) = self { return reason }
        return "connection closed by the server"
    }
}

/// A non-blocking byte stream to the server: a plain socket, or TLS over one.
/// Confined to the client's I/O thread.
protocol ByteStream: AnyObject {
    var fd: Int32 { get }
    func read(into buffer: UnsafeMutableRawBufferPointer) -> IOResult
    func write(_ bytes: UnsafeRawBufferPointer) -> IOResult
    /// Decrypted bytes already buffered, which poll cannot see.
    var hasBufferedInput: Bool { get }
    func close()
}
