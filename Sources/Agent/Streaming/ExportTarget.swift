import HTTP2Transport
import OTLPWire

/// Where one signal's OTLP requests go and over which protocol, resolved from the
/// configuration after the environment filled it in (`OTLPEnvironment`):
///
/// - `grpc`: the endpoint is the server (`http(s)://host:port`), the same for both
///   signals; the service path is gRPC's.
/// - `http/protobuf`: an endpoint from `streaming.endpoint`, `logs_streaming.endpoint`
///   or `OTEL_EXPORTER_OTLP_ENDPOINT` is a base URL, to which `/v1/metrics` or
///   `/v1/logs` is appended (after any path it has: `https://gw/otlp` →
///   `https://gw/otlp/v1/metrics`), as the OpenTelemetry Collector's otlphttp exporter
///   and the SDKs do.
///
/// A per-signal variable (`OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`,
/// `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT`) is the whole URL and is used as given, whatever
/// the protocol. A URL without a port gets its scheme's (80, 443), as in the SDKs.
struct ExportTarget: Sendable, Equatable {
    var signal: OTLPSignal
    var transportProtocol: StreamingConfig.TransportProtocol
    /// gRPC: the server. OTLP/HTTP: the URL requests are posted to. Never with the
    /// configured URL's `user:password@`, which is a secret (`EndpointURL`).
    var url: String
    /// The configuration key the endpoint is reported under when it is wrong.
    var key: String
    /// The Basic `authorization` the configured URL's userinfo asks for, sent unless
    /// the headers name one.
    var authorization: String? = nil

    /// Nil when no endpoint is configured for metrics.
    static func metrics(_ config: KubeMetricsConfig) -> ExportTarget? {
        let streaming = config.streaming
        return resolve(.metrics, transportProtocol: streaming.transportProtocol,
                       candidates: [(streaming.signalEndpoint, true), (streaming.endpoint, false)],
                       key: "kube_metrics.streaming.endpoint")
    }

    /// Nil when neither logs_streaming nor streaming names an endpoint. (The other push
    /// settings: `LogsStreamingConfig.exporter(inheriting:)`.)
    static func logs(_ config: KubeMetricsConfig) -> ExportTarget? {
        let logs = config.logsStreaming
        let key = logs.endpoint.isEmpty && logs.signalEndpoint.isEmpty && !config.streaming.endpoint.isEmpty
            ? "kube_metrics.streaming.endpoint" : "kube_metrics.logs_streaming.endpoint"
        return resolve(.logs, transportProtocol: logs.transportProtocol ?? config.streaming.transportProtocol,
                       candidates: [(logs.endpoint, false), (logs.signalEndpoint, true), (config.streaming.endpoint, false)],
                       key: key)
    }

    /// The first non-empty candidate, in precedence order; `asGiven` marks a
    /// per-signal URL, which gets no path appended.
    private static func resolve(_ signal: OTLPSignal, transportProtocol: StreamingConfig.TransportProtocol,
                                candidates: [(url: String, asGiven: Bool)], key: String) -> ExportTarget? {
        guard let chosen = candidates.first(where: { !$0.url.isEmpty }) else { return nil }
        var (url, userinfo) = EndpointURL.splitUserinfo(chosen.url)
        if transportProtocol == .httpProtobuf && !chosen.asGiven {
            url = appendingPath(signal.httpPath, to: url)
        }
        return ExportTarget(signal: signal, transportProtocol: transportProtocol, url: url, key: key,
                            authorization: userinfo.map(EndpointURL.basicAuthorization))
    }

    /// `base` with `path` after its own path; slashes at the end of `base` do not double.
    static func appendingPath(_ path: String, to base: String) -> String {
        var trimmed = Substring(base)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        return trimmed + path
    }
}
