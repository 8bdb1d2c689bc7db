#if canImport(Glibc)
import Glibc
#endif

/// The system's resolver: getaddrinfo (hosts file, DNS, nsswitch), IPv4 and IPv6, in
/// the order it returns them (RFC 6724 sorting).
public struct SystemResolver: HostResolver {
    public init() {}

    public func resolve(host: String, port: Int) throws(HTTP2Error) -> [ResolvedAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_ADDRCONFIG | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw .connectFailed("resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var addresses: [ResolvedAddress] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let address = entry {
            entry = address.pointee.ai_next
            addresses.append(ResolvedAddress(family: address.pointee.ai_family,
                                             bytes: Array(UnsafeRawBufferPointer(start: address.pointee.ai_addr, count: Int(address.pointee.ai_addrlen)))))
        }
        return addresses
    }
}
