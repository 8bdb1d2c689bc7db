@testable import Agent
import Foundation
import HTTP2Transport
import OTLPWire
import Testing
import TestSupport

/// `protocol` (grpc | http/protobuf) and the endpoints of both signals, from the file and
/// the `OTEL_EXPORTER_OTLP_*` variables, down to the URL each signal's requests go to.
struct ExportProtocolConfigTests {
    /// The file, then the environment, as `ConfigLoader.load` applies them.
    private func load(_ yaml: String, environment: [String: String] = [:]) throws -> (config: KubeMetricsConfig, warnings: [String]) {
        let parsed = try ConfigLoader.parse(Array(yaml.utf8), file: "telegen.yaml").get()
        var config = parsed.config
        let warnings = OTLPEnvironment(environment).apply(to: &config, explicitKeys: parsed.explicitKeys)
        return (config.kubeMetrics, warnings)
    }

    private func targets(_ config: KubeMetricsConfig) -> [String] {
        [ExportTarget.metrics(config), ExportTarget.logs(config)].map { target in
            target.map { "\($0.transportProtocol.rawValue) \($0.url)" } ?? "none"
        }
    }

    @Test func theFileSetsTheProtocolOfEachSignal() throws {
        let both = try load("""
            kube_metrics:
              streaming:
                endpoint: https://gateway.example/otlp/
                protocol: http/protobuf

            """).config
        #expect(both.streaming.transportProtocol == .httpProtobuf)
        #expect(both.logsStreaming.transportProtocol == nil)
        #expect(targets(both) == ["http/protobuf https://gateway.example/otlp/v1/metrics", "http/protobuf https://gateway.example/otlp/v1/logs"])

        let mixed = try load("""
            kube_metrics:
              streaming:
                endpoint: http://collector:4317
              logs_streaming:
                endpoint: http://logs-gateway:4318
                protocol: http/protobuf

            """).config
        #expect(targets(mixed) == ["grpc http://collector:4317", "http/protobuf http://logs-gateway:4318/v1/logs"])

        let grpcLogs = try load("""
            kube_metrics:
              streaming:
                endpoint: http://collector:4318
                protocol: http/protobuf
              logs_streaming:
                protocol: grpc

            """).config
        #expect(targets(grpcLogs) == ["http/protobuf http://collector:4318/v1/metrics", "grpc http://collector:4318"])
        #expect(targets(try load("").config) == ["none", "none"])
    }

    @Test func theProtocolVariablesFollowTheUsualPrecedence() throws {
        let generic = try load("", environment: ["OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
                                                 "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel:4318"])
        #expect(generic.warnings.isEmpty)
        #expect(targets(generic.config) == ["http/protobuf http://otel:4318/v1/metrics", "http/protobuf http://otel:4318/v1/logs"])

        // A per-signal variable is that signal's alone.
        let metricsOnly = try load("", environment: ["OTEL_EXPORTER_OTLP_METRICS_PROTOCOL": "http/protobuf",
                                                     "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel:4318"]).config
        #expect(targets(metricsOnly) == ["http/protobuf http://otel:4318/v1/metrics", "grpc http://otel:4318"])
        let logsOnly = try load("", environment: ["OTEL_EXPORTER_OTLP_LOGS_PROTOCOL": "http/protobuf",
                                                  "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
                                                  "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel:4318"]).config
        #expect(targets(logsOnly) == ["grpc http://otel:4318", "http/protobuf http://otel:4318/v1/logs"])
        let perSignalWins = try load("", environment: ["OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
                                                       "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL": "http/protobuf",
                                                       "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel:4318"]).config
        #expect(perSignalWins.streaming.transportProtocol == .httpProtobuf)

        // The file wins: streaming.protocol over every variable but the logs one, which
        // logs_streaming.protocol beats in turn.
        let fileWins = try load("""
            kube_metrics:
              streaming:
                endpoint: http://collector:4317
                protocol: grpc

            """, environment: ["OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf", "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL": "http/protobuf"]).config
        #expect(targets(fileWins) == ["grpc http://collector:4317", "grpc http://collector:4317"])
        let logsVariable = try load("""
            kube_metrics:
              streaming:
                endpoint: http://collector:4317
                protocol: grpc

            """, environment: ["OTEL_EXPORTER_OTLP_LOGS_PROTOCOL": "http/protobuf"]).config
        #expect(targets(logsVariable) == ["grpc http://collector:4317", "http/protobuf http://collector:4317/v1/logs"])
        let logsFile = try load("""
            kube_metrics:
              streaming:
                endpoint: http://collector:4317
              logs_streaming:
                protocol: grpc

            """, environment: ["OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf", "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL": "http/protobuf"]).config
        #expect(targets(logsFile) == ["http/protobuf http://collector:4317/v1/metrics", "grpc http://collector:4317"])
    }

    @Test func httpJSONAndUnknownProtocolVariablesAreIgnoredWithAWarning() throws {
        let (config, warnings) = try load("", environment: ["OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",
                                                            "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL": "udp",
                                                            "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL": "http/protobuf"])
        #expect(config.streaming.transportProtocol == .httpProtobuf)
        #expect(config.logsStreaming.transportProtocol == .grpc)
        #expect(warnings == ["OTEL_EXPORTER_OTLP_PROTOCOL=http/json ignored: Telegen sends OTLP as binary protobuf: use http/protobuf or grpc",
                             "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL=udp ignored: use grpc or http/protobuf"])
    }

    @Test func aPerSignalEndpointIsUsedAsGivenAndTheGenericOneGetsThePath() throws {
        let environment = ["OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf", "OTEL_EXPORTER_OTLP_ENDPOINT": "https://otel:4318/base",
                           "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "https://metrics.example/ingest",
                           "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": "logs.example:4318/custom/logs", "OTEL_EXPORTER_OTLP_LOGS_INSECURE": "true"]
        #expect(targets(try load("", environment: environment).config)
            == ["http/protobuf https://metrics.example/ingest", "http/protobuf http://logs.example:4318/custom/logs"])
        var onlyGeneric = environment
        onlyGeneric["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"] = nil
        onlyGeneric["OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"] = nil
        #expect(targets(try load("", environment: onlyGeneric).config)
            == ["http/protobuf https://otel:4318/base/v1/metrics", "http/protobuf https://otel:4318/base/v1/logs"])

        // An endpoint in the file beats every endpoint variable of its signal; the logs'
        // variable still applies when only streaming.endpoint is in the file.
        let file = try load("""
            kube_metrics:
              streaming:
                endpoint: http://file:4318

            """, environment: environment).config
        #expect(targets(file) == ["http/protobuf http://file:4318/v1/metrics", "http/protobuf http://logs.example:4318/custom/logs"])
        let logsFile = try load("""
            kube_metrics:
              logs_streaming:
                endpoint: http://logs-file:4318

            """, environment: environment).config
        #expect(targets(logsFile) == ["http/protobuf https://metrics.example/ingest", "http/protobuf http://logs-file:4318/v1/logs"])
    }

    @Test func aURLWithoutAPortGetsItsSchemesPort() throws {
        // As in the OpenTelemetry SDKs: a gateway behind a TLS load balancer is often
        // https://host/otlp, on 443.
        let config = try load("kube_metrics:\n  streaming:\n    endpoint: https://otlp.example/otlp\n    protocol: http/protobuf\n").config
        let target = try #require(ExportTarget.metrics(config))
        let endpoint = try HTTP2Endpoint(url: target.url)
        #expect(endpoint.port == 443 && endpoint.pathPrefix == "/otlp/v1/metrics")
        #expect(try HTTP2Endpoint(url: "http://collector").port == 80)
    }

    @Test func httpProtobufStreamingIsAcceptedAndABadURLFromTheEnvironmentIsNot() throws {
        let yaml = "kube_metrics:\n  streaming:\n    enabled: true\n    protocol: http/protobuf\n  logs_streaming:\n    enabled: true\n"
        let parsed = try ConfigLoader.parse(Array(yaml.utf8), file: "telegen.yaml").get()
        var config = parsed.config
        _ = OTLPEnvironment(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel:4318"]).apply(to: &config, explicitKeys: parsed.explicitKeys)
        #expect(ConfigLoader.checkCombination(config, file: "telegen.yaml", marks: parsed.marks, environment: [:]).isEmpty)

        var bad = parsed.config
        _ = OTLPEnvironment(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel:4318",
                             "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": "https://[::1/v1/logs"]).apply(to: &bad, explicitKeys: parsed.explicitKeys)
        #expect(ConfigLoader.checkCombination(bad, file: "telegen.yaml", marks: parsed.marks, environment: [:]).map(\.description)
            == ["telegen.yaml:1:1: kube_metrics.logs_streaming.endpoint: invalid endpoint \"https://[::1/v1/logs\": unclosed [ in the host"])
    }

    @Test func theAgentBuildsTheTransportItsTargetNames() async throws {
        let settings = ExporterSetup.transportSettings(StreamingConfig())
        let grpc = ExportTarget(signal: .metrics, transportProtocol: .grpc, url: "http://127.0.0.1:4317", key: "k")
        let http = ExportTarget(signal: .logs, transportProtocol: .httpProtobuf, url: "http://127.0.0.1:4318/v1/logs", key: "k")
        let grpcTransport = try grpc.makeTransport(settings: settings)
        let httpTransport = try http.makeTransport(settings: settings)
        #expect(grpcTransport is GRPCTransport && grpcTransport.name == "grpc")
        #expect(httpTransport is OTLPHTTPTransport && httpTransport.name == "http/protobuf")
        await grpcTransport.shutdown()
        await httpTransport.shutdown()
        #expect(settings.userAgent.hasPrefix("telegen/"))
        #expect(settings.compression == .gzip)
    }

    @Test func logsSpoolBesideMetricsNotWithThem() throws {
        var streaming = StreamingConfig()
        let scratch = try TemporaryDirectory()
        let shared = scratch.path + "/queue/"
        streaming.queue.directory = shared
        #expect(ExporterSetup.exporterConfiguration(streaming, signal: .metrics, metricsQueue: shared).queueDirectory == shared)
        // logs_streaming.queue.directory naming the metrics' directory: a subdirectory.
        #expect(ExporterSetup.exporterConfiguration(streaming, signal: .logs, metricsQueue: shared).queueDirectory == scratch.path + "/queue/logs")
        #expect(FileManager.default.fileExists(atPath: scratch.path + "/queue"))
        // A directory of its own is used as given.
        var logs = LogsStreamingConfig()
        logs.queue.directory = scratch.path + "/events"
        let settings = logs.exporter(inheriting: streaming)
        #expect(ExporterSetup.exporterConfiguration(settings, signal: .logs, metricsQueue: shared).queueDirectory == scratch.path + "/events")
        #expect(ExporterSetup.exporterConfiguration(settings, signal: .logs, metricsQueue: shared).queueMaximumBytes == 16 << 20)
    }
}
