@testable import KubeWatch
import Testing

/// The value scan's 64-byte runs against a byte-at-a-time reading of the same rules:
/// texts dense in quotes, backslashes (series of every length, across run boundaries)
/// and brackets, fed whole and in pieces cut anywhere, must end at the same byte, or
/// run out, or hit the depth limit at the same bracket.
struct JSONValueScanTests {
    /// The rules read one byte at a time, written independently of the scan (a backslash
    /// escapes the next byte wherever it stands).
    static func reference(_ bytes: [UInt8], depthLimit: Int = .max) -> JSONValueScan.Outcome {
        var depth = 0, inString = false, escaped = false
        for (index, byte) in bytes.enumerated() {
            if escaped {
                escaped = false
            } else if byte == 0x5C {
                escaped = true
            } else if inString {
                if byte == 0x22 {
                    inString = false
                    if depth == 0 { return .end(index + 1) }
                }
            } else if byte == 0x22 {
                inString = true
            } else if byte == 0x7B || byte == 0x5B {
                if depth == depthLimit { return .tooDeep(index) }
                depth += 1
            } else if byte == 0x7D || byte == 0x5D {
                depth -= 1
                if depth == 0 { return .end(index + 1) }
            }
        }
        return .more
    }

    /// Scans `bytes` in pieces ending at `cuts`.
    static func scan(_ bytes: [UInt8], cuts: [Int], depthLimit: Int = .max) -> JSONValueScan.Outcome {
        var scan = JSONValueScan(depthLimit: depthLimit)
        return bytes.withUnsafeBufferPointer { buffer in
            var start = 0
            for end in cuts + [bytes.count] where end > start {
                let outcome = scan.scan(buffer.baseAddress!, from: start, to: end)
                if outcome != .more { return outcome }
                start = end
            }
            return .more
        }
    }

    /// A text starting with a bracket or quote, the rest drawn from bytes that matter
    /// and ones that do not, weighted so that strings, escapes and nesting all happen.
    static func text(_ generator: inout some RandomNumberGenerator) -> [UInt8] {
        let alphabet = Array(#"{}[]""\\\\\\\\aaaaaaaa:, "#.utf8)
        var bytes = [Array("{[\"".utf8).randomElement(using: &generator)!]
        let count = Int.random(in: 0..<400, using: &generator)
        for _ in 0..<count { bytes.append(alphabet.randomElement(using: &generator)!) }
        // Often close everything still open, so that many texts end rather than run out.
        if Bool.random(using: &generator) { bytes += Array(String(repeating: "\"}]", count: 40).utf8) }
        return bytes
    }

    @Test func runsAgreeWithBytesOnDenseTexts() {
        var generator = SystemRandomNumberGenerator()
        var ends = 0
        for _ in 0..<4000 {
            let bytes = Self.text(&generator)
            let expected = Self.reference(bytes)
            if case .end = expected { ends += 1 }
            #expect(Self.scan(bytes, cuts: []) == expected, "\(String(decoding: bytes, as: UTF8.self))")
            let cuts = (0..<3).map { _ in Int.random(in: 0...bytes.count, using: &generator) }.sorted()
            #expect(Self.scan(bytes, cuts: cuts) == expected, "cut at \(cuts): \(String(decoding: bytes, as: UTF8.self))")
            let limit = Int.random(in: 0...6, using: &generator)
            #expect(Self.scan(bytes, cuts: cuts, depthLimit: limit) == Self.reference(bytes, depthLimit: limit),
                    "limit \(limit), cut at \(cuts): \(String(decoding: bytes, as: UTF8.self))")
        }
        // The generator must give the scan something to find, not only texts that run out.
        #expect(ends > 1000)
    }

    /// A backslash series of every length ending at every position around a run's last
    /// byte, before a quote that it escapes or not.
    @Test func backslashSeriesAcrossRunBoundaries() {
        for series in 1...10 {
            for position in 40...90 {
                var bytes = Array(#"{"k":""#.utf8) + [UInt8](repeating: 0x61, count: position)
                bytes += [UInt8](repeating: 0x5C, count: series) + Array(#""}"]}  "#.utf8)
                bytes += [UInt8](repeating: 0x20, count: 70)
                let expected = Self.reference(bytes)
                #expect(Self.scan(bytes, cuts: []) == expected, "\(series) backslashes at \(position)")
                #expect(Self.scan(bytes, cuts: [64]) == expected, "\(series) backslashes at \(position), cut at 64")
            }
        }
    }

    /// Deep nesting passed over a run at a time still counts every bracket.
    @Test func depthAcrossRuns() {
        let bytes = Array((String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "   ").utf8)
        #expect(Self.scan(bytes, cuts: []) == .end(200))
        #expect(Self.scan(bytes, cuts: [], depthLimit: 100) == .end(200))
        #expect(Self.scan(bytes, cuts: [], depthLimit: 99) == .tooDeep(99))
        #expect(Self.scan(Array(bytes[..<199]), cuts: [70]) == .more)
    }
}
