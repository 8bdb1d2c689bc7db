import HTTP2Transport
import Logging
import OTLPWire

#if canImport(Glibc)
import Glibc
#endif

/// Builds an OTLP exporter for one signal from the configuration: the transport its
/// `ExportTarget` names (gRPC or OTLP/HTTP), with the signal's TLS, headers,
/// compression and timeout, and its retry and queue settings: `streaming`'s for
/// metrics; for logs, what `logs_streaming` sets and `streaming`'s for the rest, with
/// a queue of its own (`LogsStreamingConfig.exporter(inheriting:)`).
enum ExporterSetup {
    static var userAgent: String { "telegen/\(BuildInfo.version)" }

    /// Fails on unreadable TLS material, an invalid URL or an unusable queue directory;
    /// nil when the signal has no endpoint (the configuration check reports that first).
    static func makeExporter(_ signal: OTLPSignal, config: KubeMetricsConfig, logger: Logger) throws -> OTLPExporter? {
        let target = switch signal {
        case .metrics: ExportTarget.metrics(config)
        case .logs: ExportTarget.logs(config)
        }
        guard let target else { return nil }
        let settings = switch signal {
        case .metrics: config.streaming
        case .logs: config.logsStreaming.exporter(inheriting: config.streaming)
        }
        let configuration = exporterConfiguration(settings, signal: signal, metricsQueue: config.streaming.queue.directory)
        // A transport that is made but never used (the exporter's queue directory failed
        // below) releases its connections and thread when it is deinitialised.
        let transport = try target.makeTransport(settings: transportSettings(settings))
        logger.info("OTLP export", metadata: ["signal": "\(signal)", "protocol": "\(target.transportProtocol.rawValue)", "url": "\(target.url)"])
        return try OTLPExporter(transport: transport, configuration: configuration, logger: logger)
    }

    static func transportSettings(_ streaming: StreamingConfig) -> TransportSettings {
        func source(_ path: String) -> TLSConfiguration.Source? { path.isEmpty ? nil : .file(path) }
        let tls = TLSConfiguration(certificateAuthority: source(streaming.tls.caFile), certificate: source(streaming.tls.certFile),
                                   privateKey: source(streaming.tls.keyFile),
                                   serverName: streaming.tls.serverName.isEmpty ? nil : streaming.tls.serverName,
                                   insecureSkipVerify: streaming.tls.insecureSkipVerify)
        return TransportSettings(
            tls: tls, headers: streaming.headers.sorted { $0.key < $1.key }.map { (name: $0.key.lowercased(), value: $0.value) },
            compression: streaming.compression == .gzip ? .gzip : .none, timeout: streaming.timeout, userAgent: userAgent)
    }

    /// Each signal spools in its own `queue.directory`; logs given the metrics' directory
    /// use its `logs` subdirectory, so that two exporters never replay each other's files.
    static func exporterConfiguration(_ streaming: StreamingConfig, signal: OTLPSignal, metricsQueue: String) -> OTLPExporter.Configuration {
        let retry = RetryPolicy(initialInterval: streaming.retry.initialInterval, multiplier: streaming.retry.multiplier,
                                maximumInterval: streaming.retry.maxInterval, maximumElapsedTime: streaming.retry.maxElapsedTime)
        var directory: String?
        if !streaming.queue.directory.isEmpty {
            if signal == .logs && streaming.queue.directory == metricsQueue {
                // The spool creates its own directory, not its parent.
                _ = mkdir(streaming.queue.directory, 0o700)
                directory = ExportTarget.appendingPath("/logs", to: streaming.queue.directory)
            } else {
                directory = streaming.queue.directory
            }
        }
        return OTLPExporter.Configuration(retry: retry, queueMaximumBytes: Int(clamping: streaming.queue.maxBytes), queueDirectory: directory)
    }
}

// Here rather than in ExportTarget.swift, which the configuration checks use: that file
// then needs no transport, and the configuration loader compiles without SwiftNIO and
// AsyncHTTPClient (its fuzzer does; docs/fuzzing.md).
extension ExportTarget {
    /// The transport this target needs, with the streaming section's TLS, headers,
    /// compression and timeout. Fails on an invalid URL or unreadable TLS material.
    func makeTransport(settings: TransportSettings) throws -> any ExportTransport {
        var settings = settings
        if let authorization, !settings.headers.contains(where: { $0.name == "authorization" }) {
            settings.headers.append((name: "authorization", value: authorization))
        }
        return switch transportProtocol {
        case .grpc:
            try GRPCTransport(endpoint: HTTP2Endpoint(url: url), settings: settings)
        case .httpProtobuf:
            try OTLPHTTPTransport(urls: [signal: url], settings: settings)
        }
    }
}
