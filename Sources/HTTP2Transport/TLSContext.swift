import COpenSSL

#if canImport(Glibc)
import Glibc
#endif

/// An OpenSSL client context built from a TLSConfiguration: TLS 1.2+, ALPN `h2`,
/// peer verification against the configured or system CAs, and an optional client
/// certificate. Created once per client; its settings never change afterwards.
final class TLSContext {
    let context: OpaquePointer
    let configuration: TLSConfiguration

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    init(_ configuration: TLSConfiguration) throws(Failure) {
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw Failure(description: "SSL_CTX_new: \(Self.lastError())") }
        self.context = context
        self.configuration = configuration
        _ = telegen_SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION)
        _ = telegen_SSL_CTX_set_partial_write_mode(context)
        let alpn: [UInt8] = [2, UInt8(ascii: "h"), UInt8(ascii: "2")]
        guard SSL_CTX_set_alpn_protos(context, alpn, UInt32(alpn.count)) == 0 else {  // 0 means success here
            throw Failure(description: "cannot offer ALPN h2: \(Self.lastError())")
        }
        if configuration.insecureSkipVerify {
            SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        } else {
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
            try loadTrust(configuration.certificateAuthority)
        }
        try loadClientIdentity(certificate: configuration.certificate, key: configuration.privateKey)
    }

    deinit { SSL_CTX_free(context) }

    private func loadTrust(_ source: TLSConfiguration.Source?) throws(Failure) {
        switch source {
        case nil:
            guard SSL_CTX_set_default_verify_paths(context) == 1 else {
                throw Failure(description: "cannot load the system CA certificates: \(Self.lastError())")
            }
        case .file(let path)?:
            guard SSL_CTX_load_verify_locations(context, path, nil) == 1 else {
                throw Failure(description: "cannot load CA file \(path): \(Self.lastError())")
            }
        case .data(let pem)?:
            let certificates = try Self.certificates(fromPEM: pem, what: "CA data")
            let store = SSL_CTX_get_cert_store(context)
            for certificate in certificates {
                X509_STORE_add_cert(store, certificate)
                X509_free(certificate)
            }
        }
    }

    private func loadClientIdentity(certificate: TLSConfiguration.Source?, key: TLSConfiguration.Source?) throws(Failure) {
        switch (certificate, key) {
        case (nil, nil):
            return
        case (nil, _), (_, nil):
            throw Failure(description: "a client certificate needs its key, and a key its certificate")
        case (.file(let path)?, _):
            guard SSL_CTX_use_certificate_chain_file(context, path) == 1 else {
                throw Failure(description: "cannot load client certificate \(path): \(Self.lastError())")
            }
        case (.data(let pem)?, _):
            let chain = try Self.certificates(fromPEM: pem, what: "client certificate data")
            defer { chain.forEach { X509_free($0) } }
            guard SSL_CTX_use_certificate(context, chain[0]) == 1 else {
                throw Failure(description: "cannot use client certificate: \(Self.lastError())")
            }
            for extra in chain.dropFirst() { _ = telegen_SSL_CTX_add1_chain_cert(context, extra) }
        }
        switch key {
        case .file(let path)?:
            guard SSL_CTX_use_PrivateKey_file(context, path, SSL_FILETYPE_PEM) == 1 else {
                throw Failure(description: "cannot load client key \(path): \(Self.lastError())")
            }
        case .data(let pem)?:
            let privateKey: OpaquePointer? = pem.withUnsafeBytes { raw in
                let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count))
                defer { BIO_free(bio) }
                return PEM_read_bio_PrivateKey(bio, nil, nil, nil)
            }
            guard let privateKey else { throw Failure(description: "cannot parse client key data: \(Self.lastError())") }
            defer { EVP_PKEY_free(privateKey) }
            guard SSL_CTX_use_PrivateKey(context, privateKey) == 1 else {
                throw Failure(description: "cannot use client key: \(Self.lastError())")
            }
        case nil:
            break
        }
        guard SSL_CTX_check_private_key(context) == 1 else {
            throw Failure(description: "client key does not match the client certificate: \(Self.lastError())")
        }
    }

    /// Every certificate in a PEM bundle; the caller frees them.
    private static func certificates(fromPEM pem: [UInt8], what: String) throws(Failure) -> [OpaquePointer] {
        let certificates: [OpaquePointer] = pem.withUnsafeBytes { raw in
            let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count))
            defer { BIO_free(bio) }
            var result: [OpaquePointer] = []
            while let certificate = PEM_read_bio_X509(bio, nil, nil, nil) { result.append(certificate) }
            ERR_clear_error()  // the loop ends on a "no start line" error
            return result
        }
        guard !certificates.isEmpty else { throw Failure(description: "no PEM certificate in \(what)") }
        return certificates
    }

    /// The oldest error on OpenSSL's queue for this thread, as text; clears the queue.
    static func lastError() -> String {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return "unknown error" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
