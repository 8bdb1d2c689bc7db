#if canImport(Glibc)
import Glibc
#endif

/// One address a name resolved to: the family and the sockaddr's bytes, as
/// getaddrinfo gives them.
public struct ResolvedAddress: Sendable, Equatable {
    public var family: Int32
    public var bytes: [UInt8]

    public init(family: Int32, bytes: [UInt8]) {
        self.family = family
        self.bytes = bytes
    }

    /// An IPv4 address and port (a resolver for tests, a numeric host).
    public static func ipv4(_ text: String, port: Int) -> ResolvedAddress {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        inet_pton(AF_INET, text, &address.sin_addr)
        let bytes = withUnsafeBytes(of: &address) { Array($0) }
        return ResolvedAddress(family: AF_INET, bytes: bytes)
    }
}
