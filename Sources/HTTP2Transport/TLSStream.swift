import COpenSSL

#if canImport(Glibc)
import Glibc
#endif

/// TLS over a connected TCP socket: SNI, hostname verification (chain verification
/// alone would accept any host's valid certificate) and a required ALPN of `h2`.
final class TLSStream: ByteStream {
    private let socket: TCPSocket
    private let ssl: OpaquePointer

    var fd: Int32 { socket.fd }

    init(socket: TCPSocket, context: TLSContext, host: String, deadline: ContinuousClock.Instant) throws(HTTP2Error) {
        self.socket = socket
        guard let ssl = SSL_new(context.context) else { throw .connectFailed("SSL_new: \(TLSContext.lastError())") }
        self.ssl = ssl
        let name = context.configuration.serverName ?? host
        // RFC 6066: IP addresses are not sent as SNI; the certificate's IP SANs are checked instead.
        if !Self.isIPAddress(name) {
            _ = telegen_SSL_set_tlsext_host_name(ssl, name)
        }
        if !context.configuration.insecureSkipVerify {
            guard SSL_set1_host(ssl, name) == 1 else { throw .connectFailed("cannot verify host \(name): \(TLSContext.lastError())") }
        }
        SSL_set_fd(ssl, socket.fd)
        SSL_set_connect_state(ssl)
        try handshake(deadline: deadline, name: name)
    }

    deinit {
        SSL_free(ssl)
    }

    private func handshake(deadline: ContinuousClock.Instant, name: String) throws(HTTP2Error) {
        while true {
            ERR_clear_error()
            let result = SSL_do_handshake(ssl)
            if result == 1 { break }
            let error = SSL_get_error(ssl, result)
            var events: Int16
            switch error {
            case SSL_ERROR_WANT_READ: events = Int16(POLLIN)
            case SSL_ERROR_WANT_WRITE: events = Int16(POLLOUT)
            default:
                let verify = SSL_get_verify_result(ssl)
                if verify != Int(X509_V_OK) {
                    throw .connectFailed("TLS handshake with \(name): certificate verify failed: \(String(cString: X509_verify_cert_error_string(verify)))")
                }
                let reason = error == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 ? "connection closed by the peer" : TLSContext.lastError()
                throw .connectFailed("TLS handshake with \(name): \(reason)")
            }
            var poller = pollfd(fd: socket.fd, events: events, revents: 0)
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { throw .connectFailed("TLS handshake with \(name): timed out") }
            _ = poll(&poller, 1, Int32(clamping: remaining.components.seconds * 1000 + 1))
        }
        var protocolData: UnsafePointer<UInt8>?
        var protocolLength: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &protocolData, &protocolLength)
        let selected = protocolData.map { String(decoding: UnsafeBufferPointer(start: $0, count: Int(protocolLength)), as: UTF8.self) } ?? ""
        guard selected == "h2" else {
            throw .connectFailed("TLS with \(name): the server did not agree to HTTP/2 (ALPN \(selected.isEmpty ? "none" : selected))")
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> IOResult {
        ERR_clear_error()
        let count = SSL_read(ssl, buffer.baseAddress, Int32(clamping: buffer.count))
        if count > 0 { return .transferred(Int(count)) }
        return outcome(of: count)
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> IOResult {
        guard bytes.count > 0 else { return .transferred(0) }
        ERR_clear_error()
        let count = SSL_write(ssl, bytes.baseAddress, Int32(clamping: bytes.count))
        if count > 0 { return .transferred(Int(count)) }
        return outcome(of: count)
    }

    private func outcome(of result: Int32) -> IOResult {
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ: return .wouldBlock(events: Int16(POLLIN))
        case SSL_ERROR_WANT_WRITE: return .wouldBlock(events: Int16(POLLOUT))
        case SSL_ERROR_ZERO_RETURN: return .closed
        case SSL_ERROR_SYSCALL where ERR_peek_error() == 0: return .closed
        default: return .failed(TLSContext.lastError())
        }
    }

    var hasBufferedInput: Bool { SSL_pending(ssl) > 0 }

    func close() {
        socket.close()
    }

    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
