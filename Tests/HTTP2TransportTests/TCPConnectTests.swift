import Foundation
@testable import HTTP2Transport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Connecting to a name with several addresses: one that drops SYNs must not use up
/// the deadline of the ones after it. Resolution is by-passed (the address list is
/// handed over as getaddrinfo would give it; /etc/hosts cannot be edited here), so
/// this proves the deadline split, not the resolver's ordering.
@Suite(.serialized)
struct TCPConnectTests {
    @Test func aBlackholedFirstAddressLeavesTimeForTheNext() throws {
        let full = try SaturatedListener()
        let good = try SaturatedListener(saturate: false)
        let start = ContinuousClock.now
        let socket = try TCPSocket.connect(to: [.ipv4("127.0.0.1", port: full.port), .ipv4("127.0.0.1", port: good.port)],
                                           deadline: start.advanced(by: .seconds(6)), name: "test")
        let elapsed = ContinuousClock.now - start
        socket.close()
        // The first address gets half of the 6 s (at least 2 s), the second the rest.
        #expect(elapsed >= .seconds(2) && elapsed < .seconds(5), "took \(elapsed)")
    }
}

/// A listening socket on 127.0.0.1 that is never accepted from. Saturated, its accept
/// queue is full, and the kernel drops further SYNs: a connect to it neither succeeds
/// nor fails, as with an address whose packets vanish.
final class SaturatedListener {
    let fd: Int32
    let port: Int
    private var fillers: [Int32] = []

    init(saturate: Bool = true) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) } }
        guard bound == 0, listen(listener, 0) == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        fd = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        guard saturate else { return }
        // Fill the accept queue: connects complete until it is full, then hang.
        for _ in 0..<8 {
            let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            fillers.append(client)
            let started = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, length) } }
            if started == 0 { continue }
            var poller = pollfd(fd: client, events: Int16(POLLOUT), revents: 0)
            if poll(&poller, 1, 300) == 0 { return }  // this SYN was dropped: saturated
        }
        throw POSIXError(.EAGAIN)
    }

    deinit {
        fillers.forEach { close($0) }
        close(fd)
    }
}
