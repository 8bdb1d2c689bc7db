@testable import Agent
import Logging
import OTLPWire
import Synchronization
import Testing
import TestSupport

/// A `user:password@` in an OTLP endpoint is a secret: it shows in no log line and no
/// error message, and reaches the collector only as a Basic `authorization` header.
struct EndpointSecretTests {
    private func load(_ yaml: String, environment: [String: String] = [:]) -> Result<KubeMetricsConfig, ConfigErrors> {
        ConfigLoader.parse(Array(yaml.utf8), file: "telegen.yaml").map { parsed in
            var config = parsed.config
            _ = OTLPEnvironment(environment).apply(to: &config, explicitKeys: parsed.explicitKeys)
            return config.kubeMetrics
        }
    }

    /// The start-up line naming the export URL, for both protocols and from the file or
    /// the environment, and the errors of a failing export.
    @Test(arguments: ["grpc", "http/protobuf"])
    func theUserinfoIsNeverLogged(_ transportProtocol: String) async throws {
        let refused = try RefusedPort()  // nothing listens: every export fails
        let port = refused.port
        defer { withExtendedLifetime(refused) {} }  // refusing until the test ends
        let fromFile = try load("""
            kube_metrics:
              streaming:
                enabled: true
                endpoint: http://telegen:s3cret@127.0.0.1:\(port)
                protocol: \(transportProtocol)
                timeout: 1s
            """).get()
        let fromEnvironment = try load("kube_metrics:\n  streaming:\n    enabled: true\n    protocol: \(transportProtocol)\n",
                                       environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://telegen:s3cret@127.0.0.1:\(port)"]).get()
        for config in [fromFile, fromEnvironment] {
            let lines = CapturedLog()
            let logger = Logger(label: "test") { _ in CapturingLogHandler(lines: lines) }
            let exporter = try #require(try ExporterSetup.makeExporter(.metrics, config: config, logger: logger))
            _ = await exporter.enqueue(ExportBatch(signal: .metrics, message: [], items: 1))
            let running = Task { await exporter.run() }
            // Loose: the whole suite can starve this process's cooperative pool for seconds.
            let deadline = ContinuousClock.now.advanced(by: .seconds(90))
            while !lines.text.contains("export failing") && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            running.cancel()
            await exporter.close()
            let text = lines.text
            #expect(text.contains("export failing"), "the failed export was logged: \(text)")
            #expect(text.contains("127.0.0.1:\(port)"), "the start-up line names the endpoint: \(text)")
            #expect(!text.contains("s3cret") && !text.contains("telegen:"), "the userinfo was logged: \(text)")
        }
    }

    @Test func theUserinfoBecomesABasicAuthorization() throws {
        let config = try load("kube_metrics:\n  streaming:\n    endpoint: https://telegen:s3cret%2Fx@collector.example:4318/otlp\n    protocol: http/protobuf\n").get()
        let target = try #require(ExportTarget.metrics(config))
        #expect(target.url == "https://collector.example:4318/otlp/v1/metrics")
        #expect(target.authorization == "Basic dGVsZWdlbjpzM2NyZXQveA==")
        let plain = try #require(ExportTarget.metrics(try load("kube_metrics:\n  streaming:\n    endpoint: http://collector:4317\n").get()))
        #expect(plain.url == "http://collector:4317" && plain.authorization == nil)
    }

    /// A configuration error quoting the endpoint masks the userinfo, with or without a scheme.
    @Test func configurationErrorsMaskTheUserinfo() {
        for endpoint in ["telegen:s3cret@collector:4317", "grpc://telegen:s3cret@collector:4317"] {
            guard case .failure(let errors) = load("kube_metrics:\n  streaming:\n    endpoint: \"\(endpoint)\"\n") else {
                Issue.record("\(endpoint) was accepted")
                continue
            }
            let text = errors.diagnostics.map(\.description).joined(separator: "\n")
            #expect(text.contains("***@collector:4317") && !text.contains("s3cret"), "\(text)")
        }
    }

    @Test func redactionOfURLsInText() {
        #expect(EndpointURL.redacted("connect to https://u:p@h:1/x failed, then http://h2/a@b") ==
            "connect to https://***@h:1/x failed, then http://h2/a@b")
        #expect(EndpointURL.redacted("no urls @ all") == "no urls @ all")
    }
}

/// Every line logged, with its metadata, as one text.
private final class CapturedLog: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var text: String { lines.withLock { $0.joined(separator: "\n") } }
}

private struct CapturingLogHandler: LogHandler {
    let lines: CapturedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String,
             function: String, line: UInt) {
        let all = self.metadata.merging(metadata ?? [:]) { $1 }
        lines.append("\(level) \(message) \(all.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " "))")
    }
}
