import Synchronization

/// The memory that expositions being sent may hold between them. A response holds
/// up to two chunks (the one being rendered and the one the socket has not taken
/// yet) and, when gzipped, a zlib stream (about 330 KiB); a scraper that reads slowly
/// or not at all holds them for as long as it stays connected.
///
/// So chunks are 256 KiB while the shared budget (8 MiB) lasts and shrink as it runs
/// out, down to 16 KiB, and at most `gzipStreams` (16) responses are compressed at
/// once (the rest are sent uncompressed, which every scraper asking for gzip also
/// accepts).
final class ExpositionBudget: Sendable {
    /// What one response may use; handed back when it is released.
    struct Grant: Sendable {
        /// Bytes of text rendered before they are handed to the connection.
        let chunkSize: Int
        let gzip: Bool
        fileprivate let reserved: Int
    }

    static let largestChunk = 256 << 10
    static let smallestChunk = 16 << 10

    let bytes: Int
    let gzipStreams: Int
    private let used = Mutex<(bytes: Int, gzipStreams: Int)>((0, 0))

    init(bytes: Int = 8 << 20, gzipStreams: Int = 16) {
        self.bytes = bytes
        self.gzipStreams = gzipStreams
    }

    /// Reserves room for one response; `wantsGzip` when the scraper accepts gzip.
    func grant(wantsGzip: Bool) -> Grant {
        used.withLock { used in
            // An eighth of what is left: the first few responses get the largest
            // chunks, later ones smaller, and the budget is never spent in one go.
            let chunk = min(Self.largestChunk, max(Self.smallestChunk, (bytes - used.bytes) / 8))
            let gzip = wantsGzip && used.gzipStreams < gzipStreams
            used.bytes += 2 * chunk
            if gzip { used.gzipStreams += 1 }
            return Grant(chunkSize: chunk, gzip: gzip, reserved: 2 * chunk)
        }
    }

    func release(_ grant: Grant) {
        used.withLock { used in
            used.bytes -= grant.reserved
            if grant.gzip { used.gzipStreams -= 1 }
        }
    }
}
