/// A response delivered as it arrives (`HTTP2Client.stream`). Taking parts from the
/// iteration is what reopens the server's flow-control window: a reader that pauses
/// stops the server within a window (1 MiB) instead of letting the response pile up
/// in memory. Ending the iteration early resets the stream.
public struct HTTP2ResponseStream: AsyncSequence, Sendable {
    public typealias Element = HTTP2ResponsePart

    private let parts: AsyncThrowingStream<HTTP2ResponsePart, any Error>
    private let consumed: @Sendable (Int) -> Void

    /// Taken bytes are reported in batches of this much: one wake-up of the I/O thread
    /// per batch, and well under half the window, so the server is never left waiting
    /// for bytes the reader has already taken.
    static let reportingBatch = 128 << 10

    init(parts: AsyncThrowingStream<HTTP2ResponsePart, any Error>, consumed: @escaping @Sendable (Int) -> Void) {
        self.parts = parts
        self.consumed = consumed
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: parts.makeAsyncIterator(), consumed: consumed)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        private var base: AsyncThrowingStream<HTTP2ResponsePart, any Error>.AsyncIterator
        private let consumed: @Sendable (Int) -> Void
        /// Body bytes taken and not yet reported.
        private var taken = 0

        init(base: AsyncThrowingStream<HTTP2ResponsePart, any Error>.AsyncIterator, consumed: @escaping @Sendable (Int) -> Void) {
            self.base = base
            self.consumed = consumed
        }

        /// The previous part is done with when the next is asked for.
        public mutating func next() async throws -> HTTP2ResponsePart? {
            if taken >= HTTP2ResponseStream.reportingBatch {
                consumed(taken)
                taken = 0
            }
            let part = try await base.next()
            if case .body(let bytes) = part { taken += bytes.count }
            return part
        }
    }
}
