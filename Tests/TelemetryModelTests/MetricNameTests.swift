import TelemetryModel
import Testing

struct MetricNameTests {
    @Test func validity() {
        #expect(MetricName.isValidMetricName("node_cpu_seconds_total"))
        #expect(MetricName.isValidMetricName("job:rate5m"))
        #expect(!MetricName.isValidMetricName("0abc"))
        #expect(!MetricName.isValidMetricName(""))
        #expect(!MetricName.isValidMetricName("a-b"))
        #expect(MetricName.isValidLabelName("_x9"))
        #expect(!MetricName.isValidLabelName("a:b"))
    }

    @Test(arguments: [
        ("app.kubernetes.io/name", "app_kubernetes_io_name"), ("9lives", "_9lives"), ("", "_"),
        ("ok_name", "ok_name"), ("ünïcode", "_n_code"),
    ])
    func sanitizing(input: String, expected: String) {
        #expect(MetricName.sanitizedLabelName(input) == expected)
        #expect(MetricName.isValidLabelName(MetricName.sanitizedLabelName(input)))
    }
}
