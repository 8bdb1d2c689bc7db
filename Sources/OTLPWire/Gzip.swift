import CZlib

/// gzip (RFC 1952) through zlib: the `grpc-encoding: gzip` of OTLP/gRPC requests
/// and, in the other direction, compressed responses.
public enum Gzip {
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public var reason: String
        public var description: String { "gzip: \(reason)" }
    }

    /// zlib's windowBits for the gzip wrapper (15-bit window + 16).
    private static let gzipWindowBits: Int32 = 15 + 16

    /// Compresses a whole message (an OTLP request). `level` 1 by default, as for
    /// expositions: on a kube-state OTLP request it gives 11.3× where the default level
    /// gives 12.8×, at 40% of the CPU (docs/benchmarks.md); a push of every kube-state
    /// series spent most of its CPU here.
    public static func compress(_ input: [UInt8], level: Int32 = 1) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        guard telegen_deflateInit2(&stream, level, gzipWindowBits) == Z_OK else { throw Failure(reason: "deflateInit2 failed") }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.count)))
        // Not zeroed first: deflate writes what is kept, and the bound's untouched tail
        // (most of it: protobuf compresses about 11×) is never faulted in.
        var status = Z_OK
        let output = input.withUnsafeBufferPointer { source in
            [UInt8](unsafeUninitializedCapacity: bound) { destination, initialized in
                stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
                stream.avail_in = uInt(source.count)
                stream.next_out = destination.baseAddress
                stream.avail_out = uInt(destination.count)
                status = deflate(&stream, Z_FINISH)
                initialized = status == Z_STREAM_END ? Int(stream.total_out) : 0
            }
        }
        // deflateBound guarantees room for one Z_FINISH pass.
        guard status == Z_STREAM_END else { throw Failure(reason: "deflate returned \(status)") }
        return output
    }

    /// Decompresses, refusing to produce more than `limit` bytes (a decompression
    /// bomb from a hostile or broken peer must not exhaust memory).
    public static func decompress(_ input: [UInt8], limit: Int) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        guard telegen_inflateInit2(&stream, gzipWindowBits) == Z_OK else { throw Failure(reason: "inflateInit2 failed") }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var status: Int32 = Z_OK
        var failure: Failure?
        input.withUnsafeBufferPointer { source in
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.avail_in = uInt(source.count)
            repeat {
                let produced: Int = chunk.withUnsafeMutableBufferPointer { destination in
                    stream.next_out = destination.baseAddress
                    stream.avail_out = uInt(destination.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return destination.count - Int(stream.avail_out)
                }
                if status != Z_OK && status != Z_STREAM_END {
                    failure = Failure(reason: status == Z_BUF_ERROR ? "truncated input" : "corrupt input (inflate returned \(status))")
                    return
                }
                if output.count + produced > limit {
                    failure = Failure(reason: "output exceeds \(limit) bytes")
                    return
                }
                output.append(contentsOf: chunk[0..<produced])
                if status == Z_OK && produced == 0 && stream.avail_in == 0 {
                    failure = Failure(reason: "truncated input")
                    return
                }
            } while status != Z_STREAM_END
        }
        if let failure { throw failure }
        return output
    }
}

/// A gzip stream compressed as it is written: what a streamed response is encoded
/// with. Input goes in chunk by chunk; each call returns whatever compressed bytes
/// zlib has ready (possibly none), `finish` the rest.
///
/// Not `Sendable`: one response's writer owns it.
public final class GzipStream {
    private var stream = z_stream()
    private var output = [UInt8](repeating: 0, count: 64 * 1024)

    /// `level` 1 by default: for expositions of hundreds of megabytes the fastest
    /// level compresses about as well as the default at a third of the CPU.
    public init(level: Int32 = 1) throws(Gzip.Failure) {
        guard telegen_deflateInit2(&stream, level, 15 + 16) == Z_OK else { throw Gzip.Failure(reason: "deflateInit2 failed") }
    }

    deinit {
        deflateEnd(&stream)
    }

    public func compress(_ input: [UInt8]) -> [UInt8] {
        input.withUnsafeBytes { compress($0) }
    }

    public func compress(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        run(input, flush: Z_NO_FLUSH)
    }

    public func finish() -> [UInt8] {
        run(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH)
    }

    private func run(_ source: UnsafeRawBufferPointer, flush: Int32) -> [UInt8] {
        var produced: [UInt8] = []
        stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress?.assumingMemoryBound(to: UInt8.self))
        stream.avail_in = uInt(source.count)
        while true {
            let (status, count): (Int32, Int) = output.withUnsafeMutableBufferPointer { destination in
                stream.next_out = destination.baseAddress
                stream.avail_out = uInt(destination.count)
                let status = deflate(&stream, flush)
                return (status, destination.count - Int(stream.avail_out))
            }
            produced.append(contentsOf: output[0..<count])
            // More to come while the output buffer came back full (or, finishing, until the end).
            if status == Z_STREAM_END || status < 0 { break }
            if flush == Z_FINISH { continue }
            if stream.avail_in == 0 && count < output.count { break }
        }
        return produced
    }
}
