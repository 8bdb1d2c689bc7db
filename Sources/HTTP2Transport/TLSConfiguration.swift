/// How a client authenticates the server and itself. Files and inline PEM data are
/// both accepted (kubeconfigs carry either).
public struct TLSConfiguration: Sendable, Hashable {
    public enum Source: Sendable, Hashable {
        case file(String)
        /// PEM text.
        case data([UInt8])
    }

    /// Trusted CAs; nil means the system's trust store.
    public var certificateAuthority: Source?
    /// Client certificate chain and key, for mutual TLS.
    public var certificate: Source?
    public var privateKey: Source?
    /// Name to send as SNI and to verify the certificate against; nil means the
    /// endpoint's host.
    public var serverName: String?
    /// Accept any certificate. Only for tests and emergencies: a man in the middle
    /// then reads everything.
    public var insecureSkipVerify: Bool

    public init(certificateAuthority: Source? = nil, certificate: Source? = nil, privateKey: Source? = nil,
                serverName: String? = nil, insecureSkipVerify: Bool = false) {
        self.certificateAuthority = certificateAuthority
        self.certificate = certificate
        self.privateKey = privateKey
        self.serverName = serverName
        self.insecureSkipVerify = insecureSkipVerify
    }
}
