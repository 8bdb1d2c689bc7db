import NIOCore

/// Bytes a TCP connection has moved, as the kernel counts them: sent and acknowledged
/// by the peer (`tcpi_bytes_acked`), and received (`tcpi_bytes_received`). Unlike
/// write completions, these show a scraper reading a response that sits in socket
/// buffers, however slowly; a peer that stopped reading stops acknowledging.
///
/// Both fields came with Linux 4.1 and glibc's `struct tcp_info` ends before them, so
/// the kernel's structure (linux/tcp.h) is read as raw words at its fixed offsets. A
/// kernel without them leaves them zero: traffic then never appears to move, and the
/// server falls back on what it sees itself (`ConnectionGuard`).
struct TCPTraffic: Equatable, Sendable {
    var acknowledged: UInt64
    var received: UInt64

    /// The kernel's `struct tcp_info` up to `tcpi_bytes_received`: 136 bytes, the two
    /// counters at byte offsets 120 and 128.
    private struct KernelInfo: Sendable {
        var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                    UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    }

    /// The counters of the channel's socket; nil when it has none or the call fails.
    /// On the channel's event loop the future is already complete.
    static func of(_ channel: any Channel) -> EventLoopFuture<TCPTraffic?> {
        guard let provider = channel as? any SocketOptionProvider else { return channel.eventLoop.makeSucceededFuture(nil) }
        let info: EventLoopFuture<KernelInfo> = provider.unsafeGetSocketOption(level: .tcp, name: .tcp_info)
        return info.map { info in
            withUnsafeBytes(of: info.words) { raw in
                TCPTraffic(acknowledged: raw.load(fromByteOffset: 120, as: UInt64.self),
                           received: raw.load(fromByteOffset: 128, as: UInt64.self))
            }
        }.recover { _ in nil }
    }
}
