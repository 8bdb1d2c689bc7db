#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/2 connection: a byte stream, an nghttp2 session on it, and the bytes
/// the session produced that the socket has not taken yet.
final class HTTP2Connection {
    let transport: ByteStream
    let session: HTTP2Session
    private var output: [UInt8] = []
    private var outputOffset = 0
    /// Events the transport is waiting for before it can move again (TLS may need a
    /// read to finish a write).
    private(set) var blockedOn: Int16 = 0
    private(set) var failure: String?
    private var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)

    init(transport: ByteStream) throws(HTTP2Error) {
        self.transport = transport
        session = try HTTP2Session()
    }

    var isDead: Bool { failure != nil }
    var hasPendingOutput: Bool { outputOffset < output.count }

    /// Writes what the session wants to send until the socket would block.
    func flush() {
        guard failure == nil else { return }
        while true {
            if outputOffset == output.count {
                output.removeAll(keepingCapacity: true)
                outputOffset = 0
                do {
                    try session.produceOutput(into: &output)
                } catch {
                    fail("\(error)")
                    return
                }
                if output.isEmpty { blockedOn = 0; return }
            }
            let result = output.withUnsafeBytes { raw in
                transport.write(UnsafeRawBufferPointer(rebasing: raw[outputOffset...]))
            }
            switch result {
            case .transferred(let count):
                outputOffset += count
            case .wouldBlock(let events):
                blockedOn = events
                return
            case .closed, .failed:
                fail(result.failureReason)
                return
            }
        }
    }

    /// Reads everything available and feeds it to the session.
    func readAvailable() {
        guard failure == nil else { return }
        while true {
            let result = readBuffer.withUnsafeMutableBytes { transport.read(into: $0) }
            switch result {
            case .transferred(let count):
                do {
                    try readBuffer.withUnsafeBytes { try session.receive(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                } catch {
                    fail("\(error)")
                    return
                }
            case .wouldBlock(let events):
                if events == Int16(POLLOUT) { blockedOn = events }
                return
            case .closed, .failed:
                fail(result.failureReason)
                return
            }
        }
    }

    /// The poll events that would let this connection make progress.
    var pollEvents: Int16 {
        var events = Int16(POLLIN)
        if hasPendingOutput || blockedOn == Int16(POLLOUT) { events |= Int16(POLLOUT) }
        return events
    }

    private func fail(_ reason: String) {
        guard failure == nil else { return }
        failure = reason
        transport.close()
        session.failAll(with: .connectionLost(reason))
    }

    func close() {
        transport.close()
    }
}
