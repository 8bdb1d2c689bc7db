@testable import Agent
import Testing
import TestSupport

/// `kube_metrics.app_metrics` (docs/configuration.md): defaults, every key, and
/// FILE:LINE:COLUMN diagnostics for what cannot work.
struct AppMetricsConfigTests {
    private func diagnostics(_ yaml: String) -> [String] {
        switch ConfigLoader.parse(Array(yaml.utf8), file: "telegen.yaml") {
        case .success: []
        case .failure(let errors): errors.diagnostics.map(\.description)
        }
    }

    @Test func offByDefaultWithTheDocumentedDefaults() {
        let apps = AgentConfig().kubeMetrics.appMetrics
        #expect(!apps.enabled)
        #expect(apps.annotationPrefixes == ["prometheus.io", "victoriametrics.com"])
        #expect(apps.interval == .seconds(30))
        #expect(apps.timeout == .seconds(10))
        #expect(apps.sampleLimit == 50_000)
        #expect(apps.bodySizeLimit == 16 << 20)
        #expect(apps.namespaces.isEmpty && apps.namespacesExclude.isEmpty)
        #expect(apps.maxConcurrentScrapes == 8)
        #expect(apps.maxSeries == 200_000)
        #expect(!apps.tlsInsecureSkipVerify && apps.caFile.isEmpty)
    }

    @Test func readsEveryKey() throws {
        let parsed = try ConfigLoader.parse(Array("""
            kube_metrics:
              app_metrics:
                enabled: true
                annotation_prefixes: [example.com]
                interval: 15s
                timeout: 5s
                sample_limit: 1000
                body_size_limit: 2MiB
                namespaces: [shop]
                max_concurrent_scrapes: 2
                max_series: 5000
                ca_file: /etc/ca.pem
                tls_insecure_skip_verify: true
            """.utf8), file: "telegen.yaml").get()
        let apps = parsed.config.kubeMetrics.appMetrics
        #expect(apps.enabled)
        #expect(apps.annotationPrefixes == ["example.com"])
        #expect(apps.interval == .seconds(15) && apps.timeout == .seconds(5))
        #expect(apps.sampleLimit == 1000 && apps.bodySizeLimit == 2 << 20)
        #expect(apps.namespaces == ["shop"])
        #expect(apps.maxConcurrentScrapes == 2 && apps.maxSeries == 5000)
        #expect(apps.caFile == "/etc/ca.pem" && apps.tlsInsecureSkipVerify)
    }

    @Test func problemsPointAtTheKey() {
        #expect(diagnostics("kube_metrics:\n  app_metrics:\n    interval: 5s\n")
            == ["telegen.yaml:3:15: kube_metrics.app_metrics.interval: timeout must not be longer than interval: a scrape must end before the next one starts"])
        #expect(diagnostics("kube_metrics:\n  app_metrics:\n    timeout: 31s\n")
            == ["telegen.yaml:3:14: kube_metrics.app_metrics.timeout: timeout must not be longer than interval: a scrape must end before the next one starts"])
        #expect(diagnostics("kube_metrics:\n  app_metrics:\n    annotation_prefixes: [Prometheus_IO]\n")
            == [#"telegen.yaml:3:27: kube_metrics.app_metrics.annotation_prefixes: unknown annotation prefix (a DNS subdomain like prometheus.io) "Prometheus_IO""#])
        #expect(diagnostics("kube_metrics:\n  app_metrics:\n    body_size_limit: 10\n")
            == ["telegen.yaml:3:22: kube_metrics.app_metrics.body_size_limit: 10 bytes is below the 1KiB minimum"])
        #expect(diagnostics("kube_metrics:\n  app_metrics:\n    max_concurrent_scrapes: 0\n")
            == ["telegen.yaml:3:29: kube_metrics.app_metrics.max_concurrent_scrapes: 0 is out of range 1...1024"])
        #expect(diagnostics("kube_metrics:\n  app_metrics:\n    namespaces: [a]\n    namespaces_exclude: [b]\n")
            == ["telegen.yaml:4:25: kube_metrics.app_metrics.namespaces_exclude: set namespaces or namespaces_exclude, not both"])
        #expect(diagnostics("kube_metrics:\n  app_metrics:\n    scrape_interval: 5s\n")
            == [#"telegen.yaml:3:5: unknown key "scrape_interval" in kube_metrics.app_metrics"#])
    }

    @Test func enablingItNeedsThePodWatch() {
        #expect(diagnostics("kubernetes:\n  enable: false\nkube_metrics:\n  app_metrics:\n    enabled: true\n")
            == ["telegen.yaml:5:14: kube_metrics.app_metrics.enabled: needs the node-local pod watch, which kubernetes.enable: false turns off"])
        #expect(diagnostics("kube_metrics:\n  kube_state:\n    total_shards: 2\n  app_metrics:\n    enabled: true\n").contains(
            "telegen.yaml:5:14: kube_metrics.app_metrics.enabled: needs every pod of this node; a sharded replica watches only its share (enable it on the DaemonSet)"))
    }

    @Test func enablingItNeedsStreaming() throws {
        let scratch = try TemporaryDirectory()
        let path = try scratch.write("telegen.yaml", "kube_metrics:\n  app_metrics:\n    enabled: true\n")
        guard case .failure(let errors) = ConfigLoader.load(explicitPath: path, environment: [:]) else {
            Issue.record("accepted")
            return
        }
        #expect(errors.diagnostics.map(\.description) == [
            "\(path):3:14: kube_metrics.app_metrics.enabled: application metrics are sent over OTLP only: enable kube_metrics.streaming too",
        ])
        let good = try scratch.write("good.yaml", """
            kube_metrics:
              streaming: {enabled: true, endpoint: "http://127.0.0.1:4317"}
              app_metrics: {enabled: true}
            """)
        guard case .success(let loaded) = ConfigLoader.load(explicitPath: good, environment: [:]) else {
            Issue.record("refused")
            return
        }
        #expect(loaded.config.kubeMetrics.appMetrics.enabled)
    }
}
