import KubeWatch
import Testing

/// Expected values are what resource.MustParse(text).MilliValue() / .Value() return
/// in k8s.io/apimachinery (they round up to the next whole unit).
struct QuantityTests {
    @Test(arguments: [
        ("100m", 100, 1), ("1", 1000, 1), ("0.5", 500, 1), ("2Gi", 2_147_483_648_000, 2_147_483_648),
        ("1.5e3", 1_500_000, 1500), ("2.1G", 2_100_000_000_000, 2_100_000_000), ("128Mi", 134_217_728_000, 134_217_728),
        ("1k", 1_000_000, 1000), ("0.1", 100, 1), ("1n", 1, 1), ("250u", 1, 1), ("-1.5", -1500, -1),
        ("0", 0, 0), ("1Ki", 1_024_000, 1024), ("12E", 12_000_000_000_000_000_000_000, 12_000_000_000_000_000_000),
        ("+7", 7000, 7), ("1e-3", 1, 1), ("1E2", 100_000, 100), (".5", 500, 1), ("3.", 3000, 3),
        ("7Ti", 7_696_581_394_432_000, 7_696_581_394_432), ("1Ei", 1_152_921_504_606_846_976_000, 1_152_921_504_606_846_976),
        ("3P", 3_000_000_000_000_000_000, 3_000_000_000_000_000), ("2T", 2_000_000_000_000_000, 2_000_000_000_000),
    ] as [(String, Int128, Int128)])
    func parsesAndRoundsUp(text: String, milli: Int128, whole: Int128) throws {
        let quantity = try Quantity(parsing: text)
        #expect(quantity.milliValue == milli, "\(text)")
        #expect(quantity.value == whole, "\(text)")
    }

    @Test(arguments: ["", "m", "1.2.3", "1x", "Gi", "1 Gi", "1e", "1e1000", "--1", "1Gii", "abc", "1K", "1ki", "1mi", "1ui", "1ni", "1i", "1Mx"])
    func rejectsMalformedQuantities(text: String) {
        #expect(throws: Quantity.ParseError.self) { try Quantity(parsing: text) }
    }

    /// Exponents at the edge of Int are refused, not a trap (`abs(Int.min)` overflows).
    @Test(arguments: ["1e-9223372036854775808", "1E9223372036854775807", "1e99999999999999999999"])
    func refusesExponentsAtTheEdgeOfInt(text: String) {
        #expect(throws: Quantity.ParseError.self) { try Quantity(parsing: text) }
    }

    /// The direct conversion of values within Int64 must round as the standard library's does.
    @Test func doubleConversionMatchesTheStandardLibrary() {
        let edges: [Int128] = [0, 1, -1, 1 << 53, (1 << 53) + 1, (1 << 62) + 513, Int128(Int64.max), Int128(Int64.min),
                               Int128(Int64.max) + 1, Int128(Int64.min) - 1, .max, .min]
        var generator = SystemRandomNumberGenerator()
        let random = (0..<2000).map { _ in Int128(Int64.random(in: .min ... .max, using: &generator)) }
        for value in edges + random {
            #expect(Quantity.double(value).bitPattern == Double(value).bitPattern, "\(value)")
        }
    }
}
