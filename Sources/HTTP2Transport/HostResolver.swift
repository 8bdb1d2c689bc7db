/// Turns the endpoint's host name into addresses to connect to.
///
/// Requirements: `resolve` may block (getaddrinfo does, for as long as the system's
/// resolver takes); the client calls it on a thread of its own, never on its I/O
/// thread, and gives up waiting at the connect deadline, so a lookup that hangs delays
/// only the requests that need a new connection. It returns the addresses in the order
/// they should be tried, or throws `HTTP2Error.connectFailed` saying why there are none.
/// Calls may come from different threads, one at a time per client.
public protocol HostResolver: Sendable {
    func resolve(host: String, port: Int) throws(HTTP2Error) -> [ResolvedAddress]
}
