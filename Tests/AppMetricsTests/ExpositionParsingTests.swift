@testable import AppMetrics
import Testing

/// Bodies the parser accepts and what it makes of them: families, types, help, units,
/// points with their labels, values, timestamps and creation times. Inputs are taken
/// from Prometheus' parser tests (TestPromParse, TestOpenMetricsParse) and from what
/// client_python writes (its `generate_latest` puts `_created` in separate gauge
/// families in the text format).
struct ExpositionParsingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var format: ScrapeFormat
        var input: String
        var families: [ScrapedFamily]
        var samples: Int
        var testDescription: String { name }
    }

    private static func label(_ name: String, _ value: String) -> ScrapedLabel { ScrapedLabel(name: name, value: value) }
    private static func point(_ labels: [ScrapedLabel] = [], _ value: Double, ts: Int64? = nil, created: Double? = nil) -> ScrapedPoint {
        ScrapedPoint(labels: labels, value: .number(value), timestampMilliseconds: ts, createdSeconds: created)
    }

    static let cases: [Case] = [
        Case(name: "text: Prometheus' whitespace and comma leniency, comments, untyped samples", format: .prometheusText, input: """
            # HELP go_gc_duration_seconds A summary of the GC invocation durations.
            # \tTYPE go_gc_duration_seconds summary
            go_gc_duration_seconds{quantile="0"} 4.9351e-05
            go_gc_duration_seconds{quantile="0.25",} 7.424100000000001e-05
            go_gc_duration_seconds{quantile="0.5",a="b"} 8.3835e-05
            go_gc_duration_seconds{quantile="0.8", a="b"} 8.3835e-05
            go_gc_duration_seconds{ quantile="0.9", a="b"} 8.3835e-05
            # Hrandom comment starting with prefix of HELP
            #
            wind_speed{A="2",c="3"} 12345
            # comment with escaped \\n newline
            # comment with escaped \\ escape character
            # HELP nohelp1
            # HELP nohelp2 
            go_gc_duration_seconds { quantile = "2.0" a = "b" } 8.3835e-05
            go_gc_duration_seconds_count 99
            some:aggregate:rate5m{a_b="c"}\t1
            # HELP go_goroutines Number of goroutines that currently exist.
            # TYPE go_goroutines gauge
            go_goroutines 33  \t123123
            # TYPE some_counter_total counter
            # HELP some_counter_total Help after type.
            some_counter_total 12
            _metric_starting_with_underscore 1
            testmetric{_label_starting_with_underscore="foo"} 1
            testmetric{label="\\"bar\\""} 1
            testmetric{le="10"} 1

            """,
            families: [
                ScrapedFamily(name: "go_gc_duration_seconds", type: .summary, help: "A summary of the GC invocation durations.", points: [
                    ScrapedPoint(labels: [], value: .summary(quantiles: [SummaryQuantile(quantile: 0, value: 4.9351e-05), SummaryQuantile(quantile: 0.25, value: 7.424100000000001e-05)], count: 99, sum: nil)),
                    ScrapedPoint(labels: [label("a", "b")], value: .summary(quantiles: [
                        SummaryQuantile(quantile: 0.5, value: 8.3835e-05), SummaryQuantile(quantile: 0.8, value: 8.3835e-05),
                        SummaryQuantile(quantile: 0.9, value: 8.3835e-05), SummaryQuantile(quantile: 2.0, value: 8.3835e-05)], count: nil, sum: nil)),
                ]),
                ScrapedFamily(name: "wind_speed", type: .unknown, points: [point([label("A", "2"), label("c", "3")], 12345)]),
                ScrapedFamily(name: "some:aggregate:rate5m", type: .unknown, points: [point([label("a_b", "c")], 1)]),
                ScrapedFamily(name: "go_goroutines", type: .gauge, help: "Number of goroutines that currently exist.", points: [point([], 33, ts: 123123)]),
                ScrapedFamily(name: "some_counter_total", type: .counter, help: "Help after type.", points: [point([], 12)]),
                ScrapedFamily(name: "_metric_starting_with_underscore", type: .unknown, points: [point([], 1)]),
                ScrapedFamily(name: "testmetric", type: .unknown, points: [
                    point([label("_label_starting_with_underscore", "foo")], 1), point([label("label", "\"bar\"")], 1), point([label("le", "10")], 1),
                ]),
            ],
            samples: 15),

        Case(name: "text: escapes in HELP and label values", format: .prometheusText, input: """
            # HELP a Help with \\\\ and \\n and \\" and \\q
            # TYPE a gauge
            a{l="q\\"uote\\\\back\\nnl\\q"} 1

            """,
            families: [ScrapedFamily(name: "a", type: .gauge, help: "Help with \\ and \n and \\\" and \\q",
                                     points: [point([label("l", "q\"uote\\back\nnl\\q")], 1)])],
            samples: 1),

        Case(name: "text: special values, timestamps in milliseconds, no final newline", format: .prometheusText, input: """
            a{x="1"} +Inf 1700000000000
            a{x="2"} -Inf
            a{x="3"} -inf 0
            a{x="4"} Infinity
            a{x="5"} 1e-400
            a{x="6"} 0.30000000000000004
            """,
            families: [ScrapedFamily(name: "a", type: .unknown, points: [
                point([label("x", "1")], .infinity, ts: 1_700_000_000_000), point([label("x", "2")], -.infinity),
                point([label("x", "3")], -.infinity, ts: 0), point([label("x", "4")], .infinity),
                point([label("x", "5")], 0), point([label("x", "6")], 0.30000000000000004),
            ])],
            samples: 6),

        Case(name: "text: histogram assembled, buckets sorted, _created family attached (client_python)", format: .prometheusText, input: """
            # HELP req_seconds Latency.
            # TYPE req_seconds histogram
            req_seconds_bucket{path="/",le="+Inf"} 3
            req_seconds_bucket{path="/",le="0.5"} 2
            req_seconds_bucket{path="/",le="0.1"} 1
            req_seconds_count{path="/"} 3
            req_seconds_sum{path="/"} 0.7
            req_seconds_bucket{le="0.1",path="/x"} 0
            req_seconds_bucket{le="+Inf",path="/x"} 0
            req_seconds_count{path="/x"} 0
            req_seconds_sum{path="/x"} 0
            # HELP req_seconds_created Latency.
            # TYPE req_seconds_created gauge
            req_seconds_created{path="/"} 1.7e+09
            req_seconds_created{path="/x"} 1.7000001e+09
            # HELP jobs_total Jobs.
            # TYPE jobs_total counter
            jobs_total{kind="a"} 4
            # HELP jobs_created Jobs.
            # TYPE jobs_created gauge
            jobs_created{kind="a"} 1.6e+09
            jobs_created{kind="zzz"} 1.5e+09
            # TYPE plain gauge
            plain 1

            """,
            families: [
                ScrapedFamily(name: "req_seconds", type: .histogram, help: "Latency.", points: [
                    ScrapedPoint(labels: [label("path", "/")], value: .histogram(buckets: [
                        HistogramBucket(upperBound: 0.1, cumulativeCount: 1), HistogramBucket(upperBound: 0.5, cumulativeCount: 2),
                        HistogramBucket(upperBound: .infinity, cumulativeCount: 3)], count: 3, sum: 0.7), createdSeconds: 1.7e9),
                    ScrapedPoint(labels: [label("path", "/x")], value: .histogram(buckets: [
                        HistogramBucket(upperBound: 0.1, cumulativeCount: 0), HistogramBucket(upperBound: .infinity, cumulativeCount: 0)],
                        count: 0, sum: 0), createdSeconds: 1.7000001e9),
                ]),
                ScrapedFamily(name: "jobs_total", type: .counter, help: "Jobs.", points: [point([label("kind", "a")], 4, created: 1.6e9)]),
                ScrapedFamily(name: "jobs_created", type: .gauge, help: "Jobs.", points: [point([label("kind", "zzz")], 1.5e9)]),
                ScrapedFamily(name: "plain", type: .gauge, points: [point([], 1)]),
            ],
            samples: 15),

        Case(name: "text: counter named without _total, samples with it; interleaved families", format: .prometheusText, input: """
            # TYPE c counter
            c_total{a="1"} 1
            # TYPE g gauge
            g 2
            c_total{a="2"} 3
            c_created{a="2"} 100

            """,
            families: [
                ScrapedFamily(name: "c", type: .counter, points: [point([label("a", "1")], 1), point([label("a", "2")], 3, created: 100)]),
                ScrapedFamily(name: "g", type: .gauge, points: [point([], 2)]),
            ],
            samples: 4),

        Case(name: "text: quoted UTF-8 metric and label names", format: .prometheusText, input: """
            # TYPE "my.metric" gauge
            {"my.metric","label.name"="ü"} 1

            """,
            families: [ScrapedFamily(name: "my.metric", type: .gauge, points: [point([label("label.name", "ü")], 1)])],
            samples: 1),

        Case(name: "OpenMetrics: counters with _total/_created, exemplars dropped, seconds to ms", format: .openMetrics, input: """
            # HELP foo Counter with and without labels to certify ST is parsed for both cases
            # TYPE foo counter
            foo_total 17.0 1520879607.789 # {id="counter-test"} 5
            foo_created 1520872607.123
            foo_total{a="b"} 17.0 1520879607.789 # {id="counter-test"} 5
            foo_created{a="b"} 1520872607.123
            foo_total{le="c"} 21.0
            foo_created{le="c"} 1520872621.123
            foo_total{le="1"} 10.0
            # EOF
            """,
            families: [ScrapedFamily(name: "foo", type: .counter, help: "Counter with and without labels to certify ST is parsed for both cases", points: [
                point([], 17, ts: 1_520_879_607_789, created: 1520872607.123),
                point([label("a", "b")], 17, ts: 1_520_879_607_789, created: 1520872607.123),
                point([label("le", "c")], 21, created: 1520872621.123),
                point([label("le", "1")], 10),
            ])],
            samples: 7),

        Case(name: "OpenMetrics: histograms and summaries with _created anywhere, units, info, stateset, gaugehistogram", format: .openMetrics, input: """
            # TYPE go_gc_duration_seconds summary
            # UNIT go_gc_duration_seconds seconds
            # HELP go_gc_duration_seconds A summary of the GC invocation durations.
            go_gc_duration_seconds{quantile="0"} 4.9351e-05
            go_gc_duration_seconds{quantile="0.25"} 7.424100000000001e-05
            go_gc_duration_seconds_count 99
            go_gc_duration_seconds_sum 0.1 # {id="summary-sum-test"} 1 123.321
            # HELP something Histogram with _created between buckets and summary
            # TYPE something histogram
            something_count 18
            something_sum 324789.4
            something_created 1520430001
            something_bucket{le="0.0"} 1
            something_bucket{le="1"} 2 # {id="x"} 0.5
            something_bucket{le="+Inf"} 18
            # TYPE ii info
            ii_info{foo="bar"} 1
            # TYPE ss stateset
            ss{ss="foo"} 1
            ss{ss="bar"} 0
            # TYPE gh gaugehistogram
            gh_bucket{le="1"} 2
            gh_bucket{le="+Inf"} 3
            gh_gcount 3
            gh_gsum 4
            # HELP fizz_created Gauge which shouldn't be parsed as ST
            # TYPE fizz_created gauge
            fizz_created 17.0
            # HELP e Escapes \\" \\\\ \\n
            e{l="\\"\\\\\\n"} NaN
            # EOF

            """,
            families: [
                ScrapedFamily(name: "go_gc_duration_seconds", type: .summary, help: "A summary of the GC invocation durations.", unit: "seconds", points: [
                    ScrapedPoint(labels: [], value: .summary(quantiles: [SummaryQuantile(quantile: 0, value: 4.9351e-05), SummaryQuantile(quantile: 0.25, value: 7.424100000000001e-05)], count: 99, sum: 0.1)),
                ]),
                ScrapedFamily(name: "something", type: .histogram, help: "Histogram with _created between buckets and summary", points: [
                    ScrapedPoint(labels: [], value: .histogram(buckets: [
                        HistogramBucket(upperBound: 0, cumulativeCount: 1), HistogramBucket(upperBound: 1, cumulativeCount: 2),
                        HistogramBucket(upperBound: .infinity, cumulativeCount: 18)], count: 18, sum: 324789.4), createdSeconds: 1520430001),
                ]),
                ScrapedFamily(name: "ii", type: .info, points: [point([label("foo", "bar")], 1)]),
                ScrapedFamily(name: "ss", type: .stateSet, points: [point([label("ss", "foo")], 1), point([label("ss", "bar")], 0)]),
                ScrapedFamily(name: "gh", type: .gaugeHistogram, points: [
                    ScrapedPoint(labels: [], value: .histogram(buckets: [HistogramBucket(upperBound: 1, cumulativeCount: 2), HistogramBucket(upperBound: .infinity, cumulativeCount: 3)], count: 3, sum: 4)),
                ]),
                ScrapedFamily(name: "fizz_created", type: .gauge, help: "Gauge which shouldn't be parsed as ST", points: [point([], 17)]),
                ScrapedFamily(name: "e", type: .unknown, help: "Escapes \" \\ \n", points: [point([label("l", "\"\\\n")], .nan)]),
            ],
            samples: 19),

        Case(name: "OpenMetrics: # EOF without a final newline, NUL bytes inside label values", format: .openMetrics,
             input: "a{b=\"\u{0}ss\"} 1\n# EOF",
             families: [ScrapedFamily(name: "a", type: .unknown, points: [point([label("b", "\u{0}ss")], 1)])],
             samples: 1),
    ]

    @Test(arguments: cases)
    func parses(_ c: Case) throws {
        let parsed = try ExpositionParser(format: c.format, sampleLimit: 0).parse(Array(c.input.utf8))
        #expect(parsed.sampleCount == c.samples)
        #expect(parsed.families.map(\.name) == c.families.map(\.name))
        for (got, want) in zip(parsed.families, c.families) {
            #expect(got.type == want.type, "\(want.name)")
            #expect(got.help == want.help, "\(want.name)")
            #expect(got.unit == want.unit, "\(want.name)")
            #expect(got.points.count == want.points.count, "\(want.name)")
            for (g, w) in zip(got.points, want.points) {
                #expect(Self.same(g, w), "\(want.name): got \(g), want \(w)")
            }
        }
    }

    /// Equality with NaN equal to NaN.
    private static func same(_ a: ScrapedPoint, _ b: ScrapedPoint) -> Bool {
        if case .number(let x) = a.value, case .number(let y) = b.value, x.isNaN, y.isNaN {
            var a = a, b = b
            a.value = .number(0)
            b.value = .number(0)
            return a == b
        }
        return a == b
    }
}
