@testable import Agent
import Foundation
import Testing
import TestSupport

/// `kube_metrics.logs_streaming`: its keys and defaults, what it inherits from
/// `streaming`, the `OTEL_EXPORTER_OTLP_LOGS_*` variables, and the checks made with the
/// environment (ConfigLoader.checkCombination).
struct LogsStreamingConfigTests {
    private func parse(_ yaml: String) -> Result<ConfigLoader.Parsed, ConfigErrors> {
        ConfigLoader.parse(Array(yaml.utf8), file: "telegen.yaml")
    }

    private func diagnostics(_ yaml: String) -> [String] {
        switch parse(yaml) {
        case .success: return []
        case .failure(let errors): return errors.diagnostics.map(\.description)
        }
    }

    private func logs(_ yaml: String) throws -> LogsStreamingConfig {
        try parse(yaml).get().config.kubeMetrics.logsStreaming
    }

    /// Through the whole loader: the file at `path` (written from `yaml`), the
    /// environment, and the combination check.
    private func load(_ yaml: String, environment: [String: String] = [:],
                      in scratch: TemporaryDirectory) throws -> (path: String, result: Result<LoadedConfig, ConfigErrors>) {
        let path = try scratch.write("telegen.yaml", yaml)
        return (path, ConfigLoader.load(explicitPath: path, environment: environment))
    }

    private static let streaming: StreamingConfig = {
        var streaming = StreamingConfig()
        streaming.enabled = true
        streaming.endpoint = "https://metrics:4317"
        streaming.transportProtocol = .grpc
        streaming.headers = ["authorization": "Bearer m"]
        streaming.compression = .none
        streaming.timeout = .seconds(3)
        streaming.tls = StreamingConfig.TLS(caFile: "/m/ca.pem", certFile: "/m/c.pem", keyFile: "/m/k.pem", serverName: "metrics")
        streaming.queue = StreamingConfig.Queue(maxBytes: 128 << 20, directory: "/var/lib/telegen/metrics")
        streaming.retry.maxElapsedTime = .seconds(60)
        return streaming
    }()

    // MARK: Defaults and keys

    @Test func defaults() throws {
        let defaults = LogsStreamingConfig()
        #expect(defaults.enabled == false)
        #expect(defaults.endpoint == "")
        #expect(defaults.transportProtocol == nil && defaults.headers == nil && defaults.compression == nil && defaults.tls == nil)
        #expect(defaults.maxMessageBytes == 4096)
        #expect(defaults.rateLimit == 500)
        #expect(defaults.queue == StreamingConfig.Queue(maxBytes: 16 * 1024 * 1024, directory: ""))
        #expect(defaults.checkpointFile == "")
        #expect(defaults.namespaces.isEmpty && defaults.namespacesExclude.isEmpty && defaults.types.isEmpty
            && defaults.involvedKinds.isEmpty && defaults.reasonsExclude.isEmpty)

        #expect(try logs("") == defaults)
        #expect(try logs("kube_metrics:\n  logs_streaming:\n") == defaults)
        var enabled = defaults
        enabled.enabled = true
        #expect(try logs("kube_metrics:\n  logs_streaming:\n    enabled: true\n") == enabled)
    }

    @Test func readsEveryKey() throws {
        let parsed = try parse("""
            kube_metrics:
              logs_streaming:
                enabled: true
                endpoint: https://logs:4317
                protocol: grpc
                headers: {x-tenant: acme, authorization: Bearer l}
                compression: none
                tls: {ca_file: /l/ca.pem, cert_file: /l/c.pem, key_file: /l/k.pem, server_name: logs, insecure_skip_verify: true}
                namespaces_exclude: [kube-system, flux]
                types: [Warning]
                involved_kinds: [Pod, Node]
                reasons_exclude: [Pulled]
                max_message_bytes: 1024
                rate_limit: 12.5
                checkpoint_file: /var/lib/telegen/events.checkpoint
                queue: {max_bytes: 32MiB, directory: /var/lib/telegen/logs}

            """).get()
        let expected = LogsStreamingConfig(
            enabled: true, endpoint: "https://logs:4317", transportProtocol: .grpc,
            headers: ["x-tenant": "acme", "authorization": "Bearer l"], compression: StreamingConfig.Compression.none,
            tls: StreamingConfig.TLS(caFile: "/l/ca.pem", certFile: "/l/c.pem", keyFile: "/l/k.pem", serverName: "logs",
                                     insecureSkipVerify: true),
            namespaces: [], namespacesExclude: ["kube-system", "flux"], types: ["Warning"], involvedKinds: ["Pod", "Node"],
            reasonsExclude: ["Pulled"], maxMessageBytes: 1024, rateLimit: 12.5,
            checkpointFile: "/var/lib/telegen/events.checkpoint",
            queue: StreamingConfig.Queue(maxBytes: 32 << 20, directory: "/var/lib/telegen/logs"))
        #expect(parsed.config.kubeMetrics.logsStreaming == expected)
        for key in ["endpoint", "protocol", "headers", "compression", "checkpoint_file", "max_message_bytes"] {
            #expect(parsed.explicitKeys.contains("kube_metrics.logs_streaming." + key), "\(key)")
        }
        // Nothing of it leaks into the metrics' streaming.
        #expect(parsed.config.kubeMetrics.streaming == StreamingConfig())

        let namespaced = try logs("kube_metrics:\n  logs_streaming:\n    namespaces: [shop, web]\n")
        #expect(namespaced.namespaces == ["shop", "web"])
    }

    @Test func theMessageLimitsBoundsAreAccepted() throws {
        #expect(try logs("kube_metrics:\n  logs_streaming:\n    max_message_bytes: 64\n").maxMessageBytes == 64)
        #expect(try logs("kube_metrics:\n  logs_streaming:\n    max_message_bytes: 1048576\n").maxMessageBytes == 1 << 20)
        #expect(try logs("kube_metrics:\n  logs_streaming:\n    rate_limit: 1\n").rateLimit == 1)
    }

    /// Each bad file, and the exact line the user sees.
    @Test(arguments: [
        ("kube_metrics:\n  logs_streaming:\n    namespaces: [a]\n    namespaces_exclude: [b]\n",
         ["telegen.yaml:4:25: kube_metrics.logs_streaming.namespaces_exclude: set namespaces or namespaces_exclude, not both"]),
        ("kube_metrics:\n  logs_streaming:\n    max_message_bytes: 63\n",
         ["telegen.yaml:3:24: kube_metrics.logs_streaming.max_message_bytes: 63 is out of range 64...1048576"]),
        ("kube_metrics:\n  logs_streaming:\n    max_message_bytes: 1048577\n",
         ["telegen.yaml:3:24: kube_metrics.logs_streaming.max_message_bytes: 1048577 is out of range 64...1048576"]),
        ("kube_metrics:\n  logs_streaming:\n    max_message_bytes: 4KiB\n",
         ["telegen.yaml:3:24: kube_metrics.logs_streaming.max_message_bytes: expected an integer, got \"4KiB\""]),
        ("kube_metrics:\n  logs_streaming:\n    rate_limit: 0\n",
         ["telegen.yaml:3:17: kube_metrics.logs_streaming.rate_limit: 0.0 is below the minimum 1.0"]),
        ("kube_metrics:\n  logs_streaming:\n    rate_limit: lots\n",
         ["telegen.yaml:3:17: kube_metrics.logs_streaming.rate_limit: expected a number, got \"lots\""]),
        ("kube_metrics:\n  logs_streaming:\n    checkpoint_fil: /x\n",
         ["telegen.yaml:3:5: unknown key \"checkpoint_fil\" in kube_metrics.logs_streaming (did you mean \"checkpoint_file\"?)"]),
        ("kube_metrics:\n  logs_streaming:\n    reason_exclude: [Pulled]\n",
         ["telegen.yaml:3:5: unknown key \"reason_exclude\" in kube_metrics.logs_streaming (did you mean \"reasons_exclude\"?)"]),
        ("kube_metrics:\n  logs_streaming:\n    interval: 1s\n",
         ["telegen.yaml:3:5: unknown key \"interval\" in kube_metrics.logs_streaming"]),
        ("kube_metrics:\n  logs_streaming:\n    tls: {ca_fil: /ca.pem}\n",
         ["telegen.yaml:3:11: unknown key \"ca_fil\" in kube_metrics.logs_streaming.tls (did you mean \"ca_file\"?)"]),
        ("kube_metrics:\n  logs_streaming:\n    endpoint: logs:4317\n",
         ["telegen.yaml:3:15: kube_metrics.logs_streaming.endpoint: endpoint \"logs:4317\" must start with http:// (plaintext) or https:// (TLS)"]),
        ("kube_metrics:\n  logs_streaming:\n    protocol: udp\n",
         ["telegen.yaml:3:15: kube_metrics.logs_streaming.protocol: \"udp\" is not one of \"grpc\", \"http/protobuf\" or \"\" (streaming's)"]),
        ("kube_metrics:\n  logs_streaming:\n    compression: brotli\n",
         ["telegen.yaml:3:18: kube_metrics.logs_streaming.compression: \"brotli\" is not one of \"gzip\", \"none\""]),
        ("kube_metrics:\n  logs_streaming:\n    queue: {max_bytes: 1000}\n",
         ["telegen.yaml:3:24: kube_metrics.logs_streaming.queue.max_bytes: queue of 1000 bytes is below the 1MiB minimum"]),
        ("kube_metrics:\n  logs_streaming:\n    types: Warning\n",
         ["telegen.yaml:3:12: kube_metrics.logs_streaming.types: expected a list of strings, got \"Warning\""]),
        ("kube_metrics:\n  logs_streaming:\n    tls: {cert_file: /c.pem}\n",
         ["telegen.yaml:3:22: kube_metrics.logs_streaming.tls.cert_file: cert_file and key_file must be set together for mutual TLS"]),
    ] as [(String, [String])])
    func reportsEachProblemWithItsPosition(yaml: String, expected: [String]) {
        #expect(diagnostics(yaml) == expected)
    }

    // MARK: Inheritance

    @Test func unsetPushSettingsComeFromStreaming() {
        let settings = LogsStreamingConfig(enabled: true).exporter(inheriting: Self.streaming)
        #expect(settings.endpoint == "https://metrics:4317")
        #expect(settings.transportProtocol == .grpc)
        #expect(settings.headers == ["authorization": "Bearer m"])
        #expect(settings.compression == StreamingConfig.Compression.none)
        #expect(settings.tls == Self.streaming.tls)
        // So do the settings logs_streaming has no key for.
        #expect(settings.timeout == .seconds(3))
        #expect(settings.retry == Self.streaming.retry)
        // The queue never: the metrics' queue (and its directory) is not shared.
        #expect(settings.queue == StreamingConfig.Queue(maxBytes: 16 << 20, directory: ""))
    }

    @Test func settingsOfItsOwnWin() {
        let logs = LogsStreamingConfig(
            enabled: true, endpoint: "http://logs:4317", transportProtocol: .httpProtobuf, headers: ["x-tenant": "logs"],
            compression: .gzip, tls: StreamingConfig.TLS(caFile: "/l/ca.pem"),
            queue: StreamingConfig.Queue(maxBytes: 8 << 20, directory: "/var/lib/telegen/logs"))
        let settings = logs.exporter(inheriting: Self.streaming)
        #expect(settings.endpoint == "http://logs:4317")
        #expect(settings.transportProtocol == .httpProtobuf)
        // Replaced, not merged: the metrics' authorization does not go to the logs backend.
        #expect(settings.headers == ["x-tenant": "logs"])
        #expect(settings.compression == .gzip)
        #expect(settings.tls == StreamingConfig.TLS(caFile: "/l/ca.pem"))
        #expect(settings.queue == StreamingConfig.Queue(maxBytes: 8 << 20, directory: "/var/lib/telegen/logs"))
        #expect(settings.timeout == .seconds(3))
    }

    @Test func inheritanceThroughTheFile() throws {
        let metrics = """
            kube_metrics:
              streaming:
                enabled: false
                endpoint: https://metrics:4317
                headers: {authorization: Bearer m}
                compression: none
                tls: {ca_file: /m/ca.pem}
                queue: {max_bytes: 128MiB, directory: /var/lib/telegen/metrics}

            """
        let inherited = try parse(metrics + "  logs_streaming:\n    enabled: true\n").get().config.kubeMetrics
        let settings = inherited.logsStreaming.exporter(inheriting: inherited.streaming)
        #expect(settings.endpoint == "https://metrics:4317")
        #expect(settings.headers == ["authorization": "Bearer m"])
        #expect(settings.compression == StreamingConfig.Compression.none)
        #expect(settings.tls.caFile == "/m/ca.pem")
        #expect(settings.queue == StreamingConfig.Queue(maxBytes: 16 << 20, directory: ""))

        let own = try parse(metrics + """
              logs_streaming:
                enabled: true
                endpoint: https://logs:4317
                protocol: grpc
                headers: {x-tenant: acme}
                compression: gzip
                tls: {server_name: logs}
                queue: {directory: /var/lib/telegen/logs}

            """).get().config.kubeMetrics
        let ownSettings = own.logsStreaming.exporter(inheriting: own.streaming)
        #expect(ownSettings.endpoint == "https://logs:4317")
        #expect(ownSettings.headers == ["x-tenant": "acme"])
        #expect(ownSettings.compression == .gzip)
        #expect(ownSettings.tls == StreamingConfig.TLS(serverName: "logs"))
        #expect(ownSettings.queue == StreamingConfig.Queue(maxBytes: 16 << 20, directory: "/var/lib/telegen/logs"))
    }

    /// `endpoint`, `protocol` and `compression` empty mean streaming's, as documented.
    @Test func emptyValuesInherit() throws {
        let logs = try logs("kube_metrics:\n  logs_streaming:\n    endpoint: \"\"\n    protocol: \"\"\n    compression: \"\"\n")
        #expect(logs.endpoint == "" && logs.transportProtocol == nil && logs.compression == nil)
        #expect(logs.exporter(inheriting: Self.streaming).endpoint == "https://metrics:4317")
    }

    /// A key with no value (`headers:`, `tls: ~`) means the default everywhere else in
    /// the file (ConfigTests.nullValuesMeanDefaults); here the default is streaming's.
    /// Templated values (`headers: {{ .Values.logsHeaders }}` rendering to nothing) end
    /// up like this.
    @Test func nullHeadersAndTLSInherit() throws {
        let logs = try logs("kube_metrics:\n  logs_streaming:\n    headers:\n    tls: ~\n    protocol:\n    compression: null\n")
        #expect(logs.headers == nil)
        #expect(logs.tls == nil)
        #expect(logs == LogsStreamingConfig())
        let settings = logs.exporter(inheriting: Self.streaming)
        #expect(settings.headers == ["authorization": "Bearer m"])
        #expect(settings.tls == Self.streaming.tls)
    }

    /// `headers: {}` and `tls: {}` as the documented listing writes them: streaming's.
    @Test func emptyHeadersAndTLSInherit() throws {
        let logs = try logs("kube_metrics:\n  logs_streaming:\n    headers: {}\n    tls: {}\n")
        #expect(logs.headers == nil && logs.tls == nil)
        let settings = logs.exporter(inheriting: Self.streaming)
        #expect(settings.headers == ["authorization": "Bearer m"])
        #expect(settings.tls == Self.streaming.tls)
    }

    /// docs/configuration.md lists the built-in defaults; its `logs_streaming` block,
    /// copied into a file as it stands, must mean them.
    @Test func theDocumentedBlockMeansTheDefaults() throws {
        let text = try String(contentsOf: Repository.root.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        var block: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if block.isEmpty {
                if line.hasPrefix("  logs_streaming:") { block.append(line) }
            } else if line.hasPrefix("    ") {
                block.append(line)
            } else {
                break
            }
        }
        try #require(block.count > 10, "the logs_streaming block of docs/configuration.md")
        let yaml = "kube_metrics:\n" + block.joined(separator: "\n") + "\n"
        let parsed = try parse(yaml).get().config.kubeMetrics.logsStreaming
        #expect(parsed == LogsStreamingConfig())
        #expect(parsed.exporter(inheriting: Self.streaming) == LogsStreamingConfig().exporter(inheriting: Self.streaming))
    }

    // MARK: Environment

    @Test func logsVariablesFillUnsetKeys() {
        var config = AgentConfig()
        let warnings = OTLPEnvironment([
            "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": "logs:4318/v1/logs",
            "OTEL_EXPORTER_OTLP_LOGS_HEADERS": "X-Tenant=acme,authorization=Bearer%20l",
            "OTEL_EXPORTER_OTLP_LOGS_COMPRESSION": "NONE",
            "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL": "http/protobuf",
        ]).apply(to: &config, explicitKeys: [])
        #expect(warnings.isEmpty)
        let logs = config.kubeMetrics.logsStreaming
        // The logs variable is the whole URL, used as given; no scheme means TLS.
        #expect(logs.signalEndpoint == "https://logs:4318/v1/logs")
        #expect(ExportTarget.logs(config.kubeMetrics)?.url == "https://logs:4318/v1/logs")
        #expect(logs.headers == ["x-tenant": "acme", "authorization": "Bearer l"])
        #expect(logs.compression == StreamingConfig.Compression.none)
        #expect(logs.transportProtocol == .httpProtobuf)
        // The logs variables are the logs': the metrics' streaming is untouched.
        #expect(config.kubeMetrics.streaming == StreamingConfig())
        #expect(ExportTarget.metrics(config.kubeMetrics) == nil)
    }

    @Test func logsInsecureMeansPlaintext() {
        var config = AgentConfig()
        _ = OTLPEnvironment(["OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": "logs:4317", "OTEL_EXPORTER_OTLP_LOGS_INSECURE": "true"])
            .apply(to: &config, explicitKeys: [])
        #expect(ExportTarget.logs(config.kubeMetrics)?.url == "http://logs:4317")
        var explicit = AgentConfig()
        _ = OTLPEnvironment(["OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": "http://logs:4317/custom"]).apply(to: &explicit, explicitKeys: [])
        #expect(ExportTarget.logs(explicit.kubeMetrics)?.url == "http://logs:4317/custom")
    }

    @Test func theFileWinsOverLogsVariables() throws {
        let parsed = try parse("""
            kube_metrics:
              logs_streaming:
                endpoint: https://file:4317
                headers: {x-tenant: file}
                compression: gzip
                protocol: grpc

            """).get()
        var config = parsed.config
        _ = OTLPEnvironment([
            "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": "https://env:4318/v1/logs",
            "OTEL_EXPORTER_OTLP_LOGS_HEADERS": "x-tenant=env",
            "OTEL_EXPORTER_OTLP_LOGS_COMPRESSION": "none",
            "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL": "http/protobuf",
        ]).apply(to: &config, explicitKeys: parsed.explicitKeys)
        let logs = config.kubeMetrics.logsStreaming
        #expect(ExportTarget.logs(config.kubeMetrics)?.url == "https://file:4317")
        #expect(logs.headers == ["x-tenant": "file"])
        #expect(logs.compression == .gzip)
        #expect(logs.transportProtocol == .grpc)
    }

    @Test func aKeySetInTheFileStopsOnlyItsVariable() throws {
        let parsed = try parse("kube_metrics:\n  logs_streaming:\n    endpoint: https://file:4317\n").get()
        var config = parsed.config
        _ = OTLPEnvironment([
            "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": "https://env:4317",
            "OTEL_EXPORTER_OTLP_LOGS_COMPRESSION": "none",
            "OTEL_EXPORTER_OTLP_LOGS_HEADERS": "x-tenant=env",
        ]).apply(to: &config, explicitKeys: parsed.explicitKeys)
        #expect(ExportTarget.logs(config.kubeMetrics)?.url == "https://file:4317")
        #expect(config.kubeMetrics.logsStreaming.compression == StreamingConfig.Compression.none)
        #expect(config.kubeMetrics.logsStreaming.headers == ["x-tenant": "env"])
    }

    @Test func metricsKeysInTheFileDoNotStopLogsVariables() throws {
        let parsed = try parse("kube_metrics:\n  streaming:\n    endpoint: https://file:4317\n    compression: gzip\n    headers: {a: b}\n").get()
        var config = parsed.config
        _ = OTLPEnvironment([
            "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": "https://env:4317",
            "OTEL_EXPORTER_OTLP_LOGS_COMPRESSION": "none",
            "OTEL_EXPORTER_OTLP_LOGS_HEADERS": "x-tenant=env",
        ]).apply(to: &config, explicitKeys: parsed.explicitKeys)
        #expect(ExportTarget.logs(config.kubeMetrics)?.url == "https://env:4317")
        #expect(config.kubeMetrics.logsStreaming.compression == StreamingConfig.Compression.none)
        #expect(config.kubeMetrics.logsStreaming.headers == ["x-tenant": "env"])
        #expect(ExportTarget.metrics(config.kubeMetrics)?.url == "https://file:4317")
        #expect(config.kubeMetrics.streaming.compression == .gzip)
        #expect(config.kubeMetrics.streaming.headers == ["a": "b"])
    }

    @Test func invalidLogsVariablesAreIgnoredWithAWarning() {
        var config = AgentConfig()
        let warnings = OTLPEnvironment([
            "OTEL_EXPORTER_OTLP_LOGS_COMPRESSION": "brotli",
            "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL": "http/json",
            "OTEL_EXPORTER_OTLP_LOGS_HEADERS": "novalue",
            "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": "",
        ]).apply(to: &config, explicitKeys: [])
        #expect(config == AgentConfig())
        #expect(Set(warnings) == [
            "OTEL_EXPORTER_OTLP_LOGS_COMPRESSION=brotli ignored: use gzip or none",
            "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL=http/json ignored: Telegen sends OTLP as binary protobuf: use http/protobuf or grpc",
            "OTEL_EXPORTER_OTLP_LOGS_HEADERS ignored: item 1 is not key=value",
        ])
        #expect(warnings.count == 3)
    }

    // MARK: Checks with the environment

    @Test func enabledWithNoEndpointAnywhereIsAnError() throws {
        let scratch = try TemporaryDirectory()
        let message = "kube_metrics.logs_streaming.endpoint: required when logs streaming is enabled and streaming.endpoint is empty"
        let (path, result) = try load("kube_metrics:\n  logs_streaming:\n    enabled: true\n", in: scratch)
        guard case .failure(let errors) = result else {
            Issue.record("accepted")
            return
        }
        #expect(errors.diagnostics.map(\.description) == ["\(path):3:14: \(message)"])

        // The metrics' own variable is not the logs'.
        let (_, metricsOnly) = try load("kube_metrics:\n  logs_streaming:\n    enabled: true\n",
                                        environment: ["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "https://metrics:4317"], in: scratch)
        guard case .failure(let metricsErrors) = metricsOnly else {
            Issue.record("accepted with only OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")
            return
        }
        #expect(metricsErrors.diagnostics.map(\.description) == ["\(path):3:14: \(message)"])

        // Disabled, nothing is required.
        let (_, disabled) = try load("kube_metrics:\n  logs_streaming:\n    enabled: false\n", in: scratch)
        #expect((try? disabled.get()) != nil)
    }

    @Test(arguments: [
        (["OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": "https://logs:4317"], "https://logs:4317"),
        (["OTEL_EXPORTER_OTLP_ENDPOINT": "https://otel:4317"], "https://otel:4317"),  // through streaming's
    ])
    func anEndpointFromTheEnvironmentSatisfiesIt(environment: [String: String], url: String) throws {
        let scratch = try TemporaryDirectory()
        let (_, result) = try load("kube_metrics:\n  logs_streaming:\n    enabled: true\n", environment: environment, in: scratch)
        let loaded = try result.get()
        #expect(ExportTarget.logs(loaded.config.kubeMetrics)?.url == url)
    }

    @Test func anEndpointFromStreamingSatisfiesIt() throws {
        let scratch = try TemporaryDirectory()
        let (_, result) = try load("kube_metrics:\n  streaming:\n    endpoint: http://otel:4317\n  logs_streaming:\n    enabled: true\n",
                                   in: scratch)
        let loaded = try result.get()
        #expect(ExportTarget.logs(loaded.config.kubeMetrics)?.url == "http://otel:4317")
    }

    @Test func aCheckpointFileInAMissingDirectoryIsAnError() throws {
        let scratch = try TemporaryDirectory()
        let missing = scratch.path + "/missing"
        let yaml = "kube_metrics:\n  logs_streaming:\n    enabled: true\n    endpoint: http://logs:4317\n    checkpoint_file: \(missing)/events.checkpoint\n"
        let (path, result) = try load(yaml, in: scratch)
        guard case .failure(let errors) = result else {
            Issue.record("accepted")
            return
        }
        #expect(errors.diagnostics.map(\.description) == [
            "\(path):5:22: kube_metrics.logs_streaming.checkpoint_file: cannot write in \(missing): No such file or directory",
        ])

        // An existing directory is fine; so is the check skipped while the stream is off.
        let (_, good) = try load("kube_metrics:\n  logs_streaming:\n    enabled: true\n    endpoint: http://logs:4317\n    checkpoint_file: \(scratch.path)/events.checkpoint\n",
                                 in: scratch)
        #expect((try? good.get()) != nil)
        let (_, off) = try load("kube_metrics:\n  logs_streaming:\n    checkpoint_file: \(missing)/events.checkpoint\n", in: scratch)
        #expect((try? off.get()) != nil)
    }

    /// With streaming off, the TLS files logs_streaming inherits are checked for it; its
    /// own TLS replaces them.
    @Test func inheritedTLSFilesAreCheckedForTheLogs() throws {
        let scratch = try TemporaryDirectory()
        let yaml = """
            kube_metrics:
              streaming:
                endpoint: http://otel:4317
                tls: {ca_file: \(scratch.path)/missing-ca.pem}
              logs_streaming:
                enabled: true

            """
        let (path, result) = try load(yaml, in: scratch)
        guard case .failure(let errors) = result else {
            Issue.record("accepted")
            return
        }
        #expect(errors.diagnostics.map(\.description) == [
            "\(path):4:20: kube_metrics.streaming.tls.ca_file: cannot read \(scratch.path)/missing-ca.pem: No such file or directory",
        ])
        let (_, fixed) = try load(yaml + "    tls: {server_name: otel}\n", in: scratch)
        #expect((try? fixed.get()) != nil)
        // An empty mapping is no TLS of its own: still streaming's, still checked.
        let (_, empty) = try load(yaml + "    tls: {}\n", in: scratch)
        #expect((try? empty.get()) == nil)
    }
}
