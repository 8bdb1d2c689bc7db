@testable import AppMetrics
import Testing

/// Bodies the parser must reject, and the reason it gives. The syntax cases are
/// Prometheus' own (model/textparse promparse_test.go and openmetricsparse_test.go,
/// TestPromParseErrors / TestOMParseErrors and the null-byte tables); the rest are the
/// checks Prometheus' scrape loop and the OpenMetrics specification add (docs/apps.md,
/// "Parsing").
struct ExpositionRejectionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var input: String
        var reason: String
        var testDescription: String { "\(reason): \(input.debugDescription)" }
        init(_ input: String, _ reason: String) { self.input = input; self.reason = reason }
    }

    static let text: [Case] = [
        // Prometheus TestPromParseErrors.
        Case("a", "syntax"),
        Case("a{b='c'} 1\n", "syntax"),
        Case("a{b=\n", "syntax"),
        Case("a{\u{FF}=\"foo\"} 1\n", "syntax"),
        Case(#"{"a", "b = "c"}"#, "syntax"),
        Case(#"{"a",b\nc="d"} 1"#, "syntax"),
        Case("a true\n", "invalid_value"),
        Case("something_weird{problem=\"", "syntax"),
        Case("empty_label_name{=\"\"} 0", "syntax"),
        Case("{A}0", "syntax"),
        Case("foo 1_2\n", "invalid_value"),
        Case("foo 0x1p-3\n", "invalid_value"),
        Case("foo 0x1P-3\n", "invalid_value"),
        Case("foo 0 1_2\n", "syntax"),
        Case(#"{a="ok"} 1"#, "syntax"),
        Case("# TYPE #\n#EOF\n", "syntax"),
        Case("# HELP #\n#EOF\n", "syntax"),
        // Prometheus TestPromNullByteHandling (errors).
        Case("a{b=\u{0}\"ssss\"} 1\n", "syntax"),
        Case("a{b=\"\u{0}", "syntax"),
        Case("a{b\u{0}=\"hiih\"}\t1", "syntax"),
        Case("a\u{0}{b=\"ddd\"} 1", "syntax"),
        Case("a 0 1\u{0}", "syntax"),
        // Types, numbers, timestamps.
        Case("# TYPE a counterx\n", "invalid_type"),
        Case("# TYPE a gaugehistogram\n", "invalid_type"),
        Case("# TYPE a\n", "invalid_type"),
        Case("a 1e400\n", "invalid_value"),
        Case("a +NaN\n", "invalid_value"),
        Case("a 1.2.3\n", "invalid_value"),
        Case("a 1e\n", "invalid_value"),
        Case("a 1 99999999999999999999\n", "invalid_timestamp"),
        Case("a 1 -5\n", "syntax"),
        Case("a 1 2 3\n", "syntax"),
        Case("a 1 # {x=\"y\"} 1\n", "syntax"),
        Case("a+1\n", "syntax"),
        Case("a 1\r\n", "invalid_value"),
        // Label sets and series (the scrape loop's duplicate-sample and label checks).
        Case("a{x=\"1\",x=\"2\"} 1\n", "duplicate_label"),
        Case("a 1\na 2\n", "duplicate_series"),
        Case("a 1 100\na 2 200\n", "duplicate_series"),
        Case("a{x=\"1\",y=\"2\"} 1\na{y=\"2\",x=\"1\"} 2\n", "duplicate_series"),
        Case("a{x=\"\\\\\"} 1\na{x=\"\\\\\"} 2\n", "duplicate_series"),
        Case("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"1.0\"} 1\n", "duplicate_series"),
        Case("# TYPE h histogram\nh_count 1\nh_count 1\n", "duplicate_series"),
        Case("# TYPE s summary\ns{quantile=\"0.5\"} 1\ns{quantile=\"0.50\"} 1\n", "duplicate_series"),
        Case("# TYPE h histogram\nh_bucket 1\n", "invalid_histogram"),
        Case("# TYPE h histogram\nh_bucket{le=\"x\"} 1\n", "invalid_histogram"),
        Case("# TYPE h histogram\nh_bucket{le=\"NaN\"} 1\n", "invalid_histogram"),
        Case("# TYPE h histogram\nh 1\n", "invalid_name"),
        Case("# TYPE s summary\ns 1\n", "invalid_summary"),
        Case("# TYPE a gauge\n# TYPE a counter\n", "duplicate_metadata"),
        Case("a 1\n# TYPE a counter\n", "out_of_order"),
        // UTF-8 where Prometheus checks it: label values and HELP.
        Case("a{b=\"\u{FF}\"} 1\n", "invalid_utf8"),
        Case("# HELP a \u{FF}\n", "invalid_utf8"),
    ]

    static let openMetrics: [Case] = [
        // Prometheus TestOMParseErrors.
        Case("", "missing_eof"),
        Case("\n", "syntax"),
        Case("metric", "missing_eof"),
        Case("metric 1", "missing_eof"),
        Case("metric 1\n", "missing_eof"),
        Case("metric_total 1 # {aa=\"bb\"} 4", "missing_eof"),
        Case("a\n# EOF\n", "syntax"),
        Case("\n\n# EOF\n", "syntax"),
        Case(" a 1\n# EOF\n", "syntax"),
        Case("9\n# EOF\n", "syntax"),
        Case("# TYPE u untyped\n# EOF\n", "invalid_type"),
        Case("# TYPE c counter \n# EOF\n", "invalid_type"),
        Case("#  TYPE c counter\n# EOF\n", "syntax"),
        Case("# TYPE \n# EOF\n", "syntax"),
        Case("# TYPE m\n# EOF\n", "syntax"),
        Case("# UNIT metric suffix\n# EOF\n", "invalid_unit"),
        Case("# UNIT metricsuffix suffix\n# EOF\n", "invalid_unit"),
        Case("# UNIT m suffix\n# EOF\n", "invalid_unit"),
        Case("# UNIT \n# EOF\n", "syntax"),
        Case("# UNIT m\n# EOF\n", "syntax"),
        Case("# HELP \n# EOF\n", "syntax"),
        Case("# HELP m\n# EOF\n", "syntax"),
        Case("a\t1\n# EOF\n", "syntax"),
        Case("a 1\t2\n# EOF\n", "invalid_value"),
        Case("a 1 2 \n# EOF\n", "syntax"),
        Case("a 1 2 #\n# EOF\n", "syntax"),
        Case("a 1 1z\n# EOF\n", "invalid_timestamp"),
        Case(" # EOF\n", "syntax"),
        Case("# EOF\na 1", "data_after_eof"),
        Case("# EOF\n\n", "data_after_eof"),
        Case("# EOFa 1", "data_after_eof"),
        Case("#\tTYPE c counter\n", "syntax"),
        Case("# TYPE c  counter\n", "invalid_type"),
        Case("a 1 1 1\n# EOF\n", "syntax"),
        Case("a{b='c'} 1\n# EOF\n", "syntax"),
        Case("a{,b=\"c\"} 1\n# EOF\n", "syntax"),
        Case("a{b=\"c\"d=\"e\"} 1\n# EOF\n", "syntax"),
        Case("a{b=\"c\",,d=\"e\"} 1\n# EOF\n", "syntax"),
        Case("a{b=\n# EOF\n", "syntax"),
        Case("a{\u{FF}=\"foo\"} 1\n# EOF\n", "syntax"),
        Case("a{b=\"\u{FF}\"} 1\n# EOF\n", "invalid_utf8"),
        Case("a true\n", "invalid_value"),
        Case("something_weird{problem=\"\n# EOF\n", "syntax"),
        Case("empty_label_name{=\"\"} 0\n# EOF\n", "syntax"),
        Case("{A}0\n# EOF\n", "syntax"),
        Case("foo 1_2\n\n# EOF\n", "invalid_value"),
        Case("foo 0x1p-3\n\n# EOF\n", "invalid_value"),
        Case("foo 0x1P-3\n\n# EOF\n", "invalid_value"),
        Case("foo 0 1_2\n\n# EOF\n", "invalid_timestamp"),
        Case("custom_metric_total 1 # {aa=bb}\n# EOF\n", "syntax"),
        Case("custom_metric_total 1 # {aa=\"bb\"}\n# EOF\n", "syntax"),
        Case(#"custom_metric_total 1 # {aa="bb"}"#, "missing_eof"),
        Case(#"custom_metric_total 1 # {bb}"#, "syntax"),
        Case(#"custom_metric_total 1 # {bb, a="dd"}"#, "syntax"),
        Case(#"custom_metric_total 1 # {aa="bb",,cc="dd"} 1"#, "syntax"),
        Case(#"custom_metric_total 1 # {aa="bb"} 1_2"#, "invalid_value"),
        Case(#"custom_metric_total 1 # {aa="bb"} 0x1p-3"#, "invalid_value"),
        Case(#"custom_metric_total 1 # {aa="bb"} true"#, "invalid_value"),
        Case(#"custom_metric_total 1 # {aa="bb",cc=}"#, "syntax"),
        Case(#"{b="c",} 1"#, "syntax"),
        Case("a 1 NaN", "invalid_timestamp"),
        Case("a 1 -Inf", "invalid_timestamp"),
        Case("a 1 Inf", "invalid_timestamp"),
        Case("# TYPE hhh histogram\nhhh_bucket{le=\"+Inf\"} 1 # {aa=\"bb\"} 4 NaN", "invalid_timestamp"),
        Case("# TYPE hhh histogram\nhhh_bucket{le=\"+Inf\"} 1 # {aa=\"bb\"} 4 -Inf", "invalid_timestamp"),
        Case("a{b=\u{0}\"ssss\"} 1\n# EOF\n", "syntax"),
        Case("a{b\u{0}=\"hiih\"}\t1", "syntax"),
        Case("a\u{0}{b=\"ddd\"} 1", "syntax"),
        Case("#", "syntax"),
        Case("# H", "syntax"),
        Case("custom_metric_total 1 # {b=\u{0}\"ssss\"} 1\n", "syntax"),
        // What the OpenMetrics specification adds: contiguous families, metadata first,
        // counters as _total, sane counts and histograms.
        Case("# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n# EOF\n", "out_of_order"),
        Case("a 1\nb 1\na{x=\"y\"} 2\n# EOF\n", "out_of_order"),
        Case("# TYPE c counter\nc_total 1\nd 1\nc_created 1\n# EOF\n", "out_of_order"),
        Case("# TYPE a gauge\na 1\n# HELP a x\n# EOF\n", "out_of_order"),
        Case("# TYPE a gauge\n# TYPE b gauge\n# HELP a x\n# EOF\n", "out_of_order"),
        Case("# TYPE a gauge\n# TYPE a gauge\n# EOF\n", "duplicate_metadata"),
        Case("# HELP a x\n# HELP a y\n# EOF\n", "duplicate_metadata"),
        Case("# TYPE a counter\na 1\n# EOF\n", "invalid_name"),
        Case("# TYPE a counter\na_total -1\n# EOF\n", "invalid_value"),
        Case("# TYPE a counter\na_total NaN\n# EOF\n", "invalid_value"),
        Case("# TYPE a counter\na_created 1\n# EOF\n", "missing_value"),
        Case("# TYPE h histogram\nh_bucket{le=\"1\"} 1\n# EOF\n", "invalid_histogram"),
        Case("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\n# EOF\n", "invalid_histogram"),
        Case("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 3\n# EOF\n", "invalid_histogram"),
        Case("# TYPE h histogram\nh_bucket{le=\"+Inf\"} -1\n# EOF\n", "invalid_value"),
        Case("# TYPE s summary\ns{quantile=\"1.5\"} 1\n# EOF\n", "invalid_summary"),
        Case("# TYPE s summary\ns_count -2\n# EOF\n", "invalid_value"),
        Case("a{x=\"1\",x=\"1\"} 1\n# EOF\n", "duplicate_label"),
        Case("a 1\na 1\n# EOF\n", "duplicate_series"),
        Case("a 1\r\n# EOF\n", "invalid_value"),
    ]

    @Test(arguments: text)
    func rejectsText(_ c: Case) {
        #expect(reason(of: c.input, .prometheusText) == c.reason)
    }

    @Test(arguments: openMetrics)
    func rejectsOpenMetrics(_ c: Case) {
        #expect(reason(of: c.input, .openMetrics) == c.reason)
    }

    /// The bytes of a case: `\u{FF}` in the table stands for the single invalid byte 0xFF.
    static func bytes(_ input: String) -> [UInt8] {
        var out: [UInt8] = []
        for scalar in input.unicodeScalars {
            if scalar.value == 0xFF { out.append(0xFF) } else { out.append(contentsOf: String(scalar).utf8) }
        }
        return out
    }

    private func reason(of input: String, _ format: ScrapeFormat) -> String? {
        do {
            let parsed = try ExpositionParser(format: format, sampleLimit: 0).parse(Self.bytes(input))
            Issue.record("parsed \(parsed.sampleCount) samples")
            return nil
        } catch {
            #expect(error.line >= 1)
            #expect(!error.message.isEmpty)
            return error.reason
        }
    }
}
