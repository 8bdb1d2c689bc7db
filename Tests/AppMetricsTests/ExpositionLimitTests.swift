@testable import AppMetrics
import Testing

/// The sample limit, the Content-Type choice, and robustness: no input traps or stalls.
struct ExpositionLimitTests {
    private static let body = Array("""
        # TYPE h histogram
        h_bucket{le="1"} 1
        h_bucket{le="+Inf"} 2
        h_count 2
        h_sum 3
        g 1

        """.utf8)

    @Test func sampleLimitCountsEveryLineAndFailsTheWholeBody() throws {
        // Five sample lines: a limit of five passes, four fails (as Prometheus' sample_limit).
        let parsed = try ExpositionParser(format: .prometheusText, sampleLimit: 5).parse(Self.body)
        #expect(parsed.sampleCount == 5)
        #expect(throws: ScrapeParseError.self) { try ExpositionParser(format: .prometheusText, sampleLimit: 4).parse(Self.body) }
        do {
            _ = try ExpositionParser(format: .prometheusText, sampleLimit: 4).parse(Self.body)
        } catch {
            #expect(error.reason == "sample_limit")
            #expect(error.line == 6)
        }
        #expect(try ExpositionParser(format: .prometheusText, sampleLimit: 0).parse(Self.body).sampleCount == 5)
    }

    @Test(arguments: [
        ("text/plain; version=0.0.4; charset=utf-8", ScrapeFormat?.some(.prometheusText)),
        ("application/openmetrics-text; version=1.0.0; charset=utf-8", .some(.openMetrics)),
        ("Application/OpenMetrics-Text", .some(.openMetrics)),
        ("application/json", nil),
        ("", nil),
    ])
    func formatFromContentType(_ header: String, _ expected: ScrapeFormat?) {
        #expect(ScrapeFormat(contentType: header) == expected)
    }

    /// Every prefix and thousands of byte mutations of valid bodies in both formats:
    /// each parse returns or throws, never traps (a trap fails the whole test run).
    @Test func mutatedBodiesNeverTrap() {
        let seeds = [
            Self.body,
            Array("# HELP a x\\n\n# TYPE a counter\n# UNIT a_seconds seconds\na_total{l=\"v\\\"\"} 1.5e3 1.25 # {t=\"1\"} 2 3\na_created 1\n# EOF\n".utf8),
            Array("{\"u.n\",\"a.b\"=\"ü\"} -Inf 123\n# TYPE s summary\ns{quantile=\"0.5\"} NaN\ns_count 1\n".utf8),
        ]
        var rng = SplitMix(seed: 42)
        let alphabet: [UInt8] = Array("{}=\",# \t\n\\_:aeEINn0.19+-\u{0}".utf8) + [0xFF, 0xC3, 0x80]
        var outcomes = 0
        for seed in seeds {
            for format in [ScrapeFormat.prometheusText, .openMetrics] {
                let parser = ExpositionParser(format: format, sampleLimit: 3)
                for cut in 0...seed.count { outcomes += outcome(parser, Array(seed[..<cut])) }
                for _ in 0..<3000 {
                    var body = seed
                    for _ in 0..<(1 + Int(rng.next() % 4)) {
                        let at = Int(rng.next() % UInt64(body.count))
                        switch rng.next() % 3 {
                        case 0: body[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                        case 1: body.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: at)
                        default: body.remove(at: at)
                        }
                        if body.isEmpty { body = [0x20] }
                    }
                    outcomes += outcome(parser, body)
                }
            }
        }
        #expect(outcomes > 18000)
    }

    /// A single line of many megabytes, a huge label set and an endless number are
    /// bounded work, not a stall.
    @Test func hugeLinesAreLinear() throws {
        var big = Array("a{".utf8)
        for k in 0..<20000 { big += Array("l\(k)=\"v\",".utf8) }
        big += Array("} 1\n".utf8)
        let parsed = try ExpositionParser(format: .prometheusText, sampleLimit: 0).parse(big)
        #expect(parsed.families.first?.points.first?.labels.count == 20000)

        var repeated = Array("a{".utf8)
        for _ in 0..<20000 { repeated += Array("l=\"v\",".utf8) }
        repeated += Array("} 1\n".utf8)
        #expect(throws: ScrapeParseError.self) { try ExpositionParser(format: .prometheusText, sampleLimit: 0).parse(repeated) }

        let tiny = Array("a 0.".utf8) + Array(repeating: UInt8(ascii: "0"), count: 2_000_000) + Array("1\n".utf8)
        #expect(try ExpositionParser(format: .prometheusText, sampleLimit: 0).parse(tiny).families.first?.points.first?.value == .number(0))
        let huge = Array("a 1".utf8) + Array(repeating: UInt8(ascii: "0"), count: 2_000_000) + Array("\n".utf8)
        #expect(throws: ScrapeParseError.self) { try ExpositionParser(format: .prometheusText, sampleLimit: 0).parse(huge) }

        var buckets = Array("# TYPE h histogram\n".utf8)
        for k in (0..<20000).reversed() { buckets += Array("h_bucket{le=\"\(k)\"} 1\n".utf8) }
        let histogram = try ExpositionParser(format: .prometheusText, sampleLimit: 0).parse(buckets)
        guard case .histogram(let b, _, _) = histogram.families.first?.points.first?.value else { Issue.record("no histogram"); return }
        #expect(b.count == 20000 && b.first?.upperBound == 0 && b.last?.upperBound == 19999)
    }

    private func outcome(_ parser: ExpositionParser, _ body: [UInt8]) -> Int {
        do { _ = try parser.parse(body) } catch { #expect(!error.reason.isEmpty) }
        return 1
    }
}
