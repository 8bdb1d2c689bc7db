import CZlib

/// A gzip body inflated as it arrives, refusing to produce more than a limit: a
/// compressed body is limited by what it inflates to (a small gzip bomb must not
/// exhaust memory). Thin wrapper over zlib's `inflate`; the `z_stream` lives at a
/// fixed address because zlib keeps a pointer back to it.
final class GzipInflater {
    enum Failure: Error, Equatable {
        /// The inflated body would pass the limit.
        case tooLarge
        case corrupt(String)
    }

    private let stream: UnsafeMutablePointer<z_stream>
    private var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    private(set) var finished = false

    init() throws(Failure) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 15-bit window, +16: the gzip wrapper.
        guard telegen_inflateInit2(stream, 15 + 16) == Z_OK else {
            stream.deallocate()
            throw .corrupt("inflateInit2 failed")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Inflates `input`, appending to `output`; throws `.tooLarge` as soon as `output`
    /// would grow past `limit` bytes.
    func inflate(_ input: UnsafeRawBufferPointer, into output: inout [UInt8], limit: Int) throws(Failure) {
        guard !input.isEmpty, !finished else { return }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
        stream.pointee.avail_in = uInt(input.count)
        var failure: Failure?
        let stream = self.stream
        repeat {
            var status: Int32 = Z_OK
            let produced: Int = chunk.withUnsafeMutableBufferPointer { destination in
                stream.pointee.next_out = destination.baseAddress
                stream.pointee.avail_out = uInt(destination.count)
                status = CZlib.inflate(stream, Z_NO_FLUSH)
                return destination.count - Int(stream.pointee.avail_out)
            }
            if status != Z_OK && status != Z_STREAM_END && !(status == Z_BUF_ERROR && produced == 0) {
                failure = .corrupt("inflate returned \(status)")
                break
            }
            if produced > limit - output.count {
                failure = .tooLarge
                break
            }
            output.append(contentsOf: chunk[0..<produced])
            if status == Z_STREAM_END {
                finished = true
                break
            }
            if produced == 0 { break }
        } while stream.pointee.avail_in > 0 || stream.pointee.avail_out == 0
        stream.pointee.next_in = nil
        stream.pointee.avail_in = 0
        if let failure { throw failure }
    }
}
