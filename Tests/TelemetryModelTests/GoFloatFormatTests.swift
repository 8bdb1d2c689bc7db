import TelemetryModel
import Testing

/// Expected strings are what Go's strconv.FormatFloat(v, 'g', -1, 64) prints (after
/// Prometheus' fast paths); the node_exporter oracle test checks the same function
/// against a live Go process on hundreds of real values.
struct GoFloatFormatTests {
    @Test(arguments: [
        (1.0, "1"), (0.0, "0"), (-0.0, "0"), (-1.0, "-1"),
        (.nan, "NaN"), (.infinity, "+Inf"), (-.infinity, "-Inf"),
        (1.5e9, "1.5e+09"), (1.501569018e9, "1.501569018e+09"), (3e8, "3e+08"),
        (1_073_741_824, "1.073741824e+09"), (10596, "10596"), (123_456, "123456"),
        (999_999, "999999"), (1_000_000, "1e+06"), (1_234_567, "1.234567e+06"),
        (100_000, "100000"), (0.2, "0.2"), (0.007, "0.007"), (0.0001, "0.0001"),
        (0.00001, "1e-05"), (5.64e-05, "5.64e-05"), (8.572000000000001, "8.572000000000001"),
        (0.026000000000000002, "0.026000000000000002"), (1.7953034257205498e+09, "1.7953034257205498e+09"),
        (1e21, "1e+21"), (1e100, "1e+100"), (1.7976931348623157e308, "1.7976931348623157e+308"),
        (5e-324, "5e-324"), (9_007_199_254_740_992, "9.007199254740992e+15"),
        (9_007_199_254_740_993.0, "9.007199254740992e+15"), (-2.5, "-2.5"), (123_456.789, "123456.789"),
        (1_234_567.5, "1.2345675e+06"), (2.5e-5, "2.5e-05"), (-4.984832e+06, "-4.984832e+06"),
        (0.1 + 0.2, "0.30000000000000004"), (100, "100"), (12.5, "12.5"), (286.89, "286.89"),
    ] as [(Double, String)])
    func formatsLikeGo(value: Double, expected: String) {
        #expect(GoFloatFormat.string(value) == expected)
    }

    @Test func everyFormattedValueReadsBackExactly() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let value = Double(bitPattern: generator.next() & 0x7FEF_FFFF_FFFF_FFFF)
            let text = GoFloatFormat.string(value)
            #expect(Double(text) == value, "\(text) does not read back as \(value)")
        }
    }
}
