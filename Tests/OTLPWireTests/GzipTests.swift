import Foundation
@testable import OTLPWire
import Testing
import TestSupport

struct GzipTests {
    let sample: [UInt8] = Array((0..<20_000).map { "metric_\($0 % 97) \($0)\n" }.joined().utf8)

    @Test func roundTrips() throws {
        let compressed = try Gzip.compress(sample)
        #expect(compressed.count < sample.count / 3)
        // The default is the fastest level; a higher one is honoured and packs tighter.
        #expect(try Gzip.compress(sample, level: 6).count < compressed.count)
        #expect(compressed.prefix(2) == [0x1F, 0x8B])  // gzip magic, not a zlib header
        #expect(try Gzip.decompress(compressed, limit: sample.count) == sample)
        #expect(try Gzip.decompress(try Gzip.compress([]), limit: 0) == [])
    }

    @Test func pythonReadsWhatWeWriteAndWeReadWhatItWrites() throws {
        let python = try Repository.python()
        let compressed = try Gzip.compress(sample)
        let decoded = try Command.run(python, ["-c", "import gzip,sys; sys.stdout.buffer.write(gzip.decompress(sys.stdin.buffer.read()))"],
                                      input: compressed)
        #expect(decoded.status == 0, "\(decoded.stderr)")
        #expect(Array(decoded.stdout.utf8) == sample)

        let theirs = try Command.run(python, ["-c", "import gzip,sys,base64; print(base64.b64encode(gzip.compress(sys.stdin.buffer.read())).decode())"],
                                     input: sample)
        let bytes = try #require(Data(base64Encoded: theirs.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(try Gzip.decompress(Array(bytes), limit: 1 << 20) == sample)
    }

    @Test func refusesCorruptTruncatedAndOversizedInput() throws {
        let compressed = try Gzip.compress(sample)
        #expect(throws: Gzip.Failure.self) { try Gzip.decompress(Array(compressed.prefix(compressed.count / 2)), limit: 1 << 20) }
        var corrupt = compressed
        corrupt[20] ^= 0xFF
        corrupt[21] ^= 0xFF
        #expect(throws: Gzip.Failure.self) { try Gzip.decompress(corrupt, limit: 1 << 20) }
        #expect(throws: Gzip.Failure.self) { try Gzip.decompress(Array("not gzip at all".utf8), limit: 1 << 20) }
        #expect(throws: Gzip.Failure(reason: "output exceeds 1000 bytes")) { try Gzip.decompress(compressed, limit: 1000) }
    }
}

struct GRPCMessageFramingTests {
    @Test func framesWithFlagAndBigEndianLength() {
        let framed = GRPCMessageFraming.frame(Array(repeating: 7, count: 300), compressed: true)
        #expect(Array(framed.prefix(5)) == [1, 0, 0, 1, 44])
        #expect(framed.count == 305)
    }

    @Test func reassemblesMessagesSplitAnywhere() throws {
        let messages: [[UInt8]] = [[], [1, 2, 3], Array(repeating: 9, count: 70_000)]
        let stream = messages.flatMap { GRPCMessageFraming.frame($0, compressed: false) }
        for chunkSize in [1, 3, 5, 4096, stream.count] {
            var deframer = GRPCMessageFraming.Deframer(maximumMessageLength: 1 << 20)
            var received: [[UInt8]] = []
            var offset = 0
            while offset < stream.count {
                deframer.append(stream[offset..<min(offset + chunkSize, stream.count)])
                offset += chunkSize
                while let message = try deframer.next() { received.append(message.bytes) }
            }
            #expect(received == messages, "chunk size \(chunkSize)")
            #expect(deframer.pendingByteCount == 0)
        }
    }

    @Test func rejectsBadFlagsAndOversizedMessages() {
        var deframer = GRPCMessageFraming.Deframer(maximumMessageLength: 10)
        deframer.append([2, 0, 0, 0, 1, 0])
        #expect(throws: GRPCMessageFraming.DeframingError.invalidFlag(2)) { try deframer.next() }
        var small = GRPCMessageFraming.Deframer(maximumMessageLength: 10)
        small.append([0, 0, 0, 0, 11])
        #expect(throws: GRPCMessageFraming.DeframingError.tooLarge(length: 11, limit: 10)) { try small.next() }
    }
}
