/// gRPC's length-prefixed messages: a 1-byte compressed flag, a 4-byte big-endian
/// length, then the (possibly compressed) protobuf bytes.
public enum GRPCMessageFraming {
    public static let prefixLength = 5

    /// Frames one message.
    public static func frame(_ message: [UInt8], compressed: Bool) -> [UInt8] {
        var framed: [UInt8] = []
        framed.reserveCapacity(prefixLength + message.count)
        framed.append(compressed ? 1 : 0)
        let length = UInt32(message.count)
        framed.append(UInt8(truncatingIfNeeded: length >> 24))
        framed.append(UInt8(truncatingIfNeeded: length >> 16))
        framed.append(UInt8(truncatingIfNeeded: length >> 8))
        framed.append(UInt8(truncatingIfNeeded: length))
        framed.append(contentsOf: message)
        return framed
    }

    public struct Message: Equatable, Sendable {
        public var compressed: Bool
        public var bytes: [UInt8]
    }

    public enum DeframingError: Error, Equatable {
        case invalidFlag(UInt8)
        case tooLarge(length: Int, limit: Int)
    }

    /// Reassembles messages from DATA frames that split them at arbitrary points.
    public struct Deframer: Sendable {
        private var buffer: [UInt8] = []
        private let maximumMessageLength: Int

        public init(maximumMessageLength: Int) {
            self.maximumMessageLength = maximumMessageLength
        }

        public mutating func append(_ bytes: some Sequence<UInt8>) {
            buffer.append(contentsOf: bytes)
        }

        /// The next complete message, nil until one has fully arrived.
        public mutating func next() throws(DeframingError) -> Message? {
            guard buffer.count >= prefixLength else { return nil }
            guard buffer[0] <= 1 else { throw .invalidFlag(buffer[0]) }
            let length = Int(buffer[1]) << 24 | Int(buffer[2]) << 16 | Int(buffer[3]) << 8 | Int(buffer[4])
            guard length <= maximumMessageLength else { throw .tooLarge(length: length, limit: maximumMessageLength) }
            guard buffer.count >= prefixLength + length else { return nil }
            let message = Message(compressed: buffer[0] == 1, bytes: Array(buffer[prefixLength..<(prefixLength + length)]))
            buffer.removeFirst(prefixLength + length)
            return message
        }

        /// Bytes received that do not yet form a whole message.
        public var pendingByteCount: Int { buffer.count }
    }
}
