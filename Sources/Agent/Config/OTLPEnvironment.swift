/// The OpenTelemetry SDK environment variables Telegen honours. A value set in
/// `telegen.yaml` wins; the environment fills only what the file left unset. An
/// invalid value is ignored with a warning, as the OpenTelemetry specification asks.
struct OTLPEnvironment {
    private let environment: [String: String]

    init(_ environment: [String: String]) {
        self.environment = environment
    }

    /// Applies the variables and returns one warning per ignored value.
    func apply(to config: inout AgentConfig, explicitKeys: Set<String>) -> [String] {
        var warnings: [String] = []
        let prefix = "kube_metrics.streaming."
        func isSet(_ key: String) -> Bool { explicitKeys.contains(prefix + key) }
        var streaming = config.kubeMetrics.streaming

        // Each protocol variable is read (and warned about) once; a per-signal one that is
        // invalid leaves the generic one to apply.
        let genericProtocol = protocolVariable("OTEL_EXPORTER_OTLP_PROTOCOL", warnings: &warnings)
        let metricsProtocol = protocolVariable("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", warnings: &warnings)
        let logsProtocol = protocolVariable("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", warnings: &warnings)
        if !isSet("protocol"), let chosen = metricsProtocol ?? genericProtocol {
            streaming.transportProtocol = chosen
        }
        if !isSet("endpoint") {
            let insecure = isInsecure(signal: "METRICS")
            if let generic = environment["OTEL_EXPORTER_OTLP_ENDPOINT"], !generic.isEmpty {
                streaming.endpoint = withScheme(generic, insecure: insecure)
            }
            if let specific = environment["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"], !specific.isEmpty {
                streaming.signalEndpoint = withScheme(specific, insecure: insecure)
            }
        }
        if !isSet("headers"), let (name, value) = signalValue("HEADERS") {
            switch Self.parseHeaders(value) {
            case .success(let headers): streaming.headers = headers
            case .failure(let error): warnings.append("\(name) ignored: \(error.reason)")
            }
        }
        if !isSet("compression"), let (name, value) = signalValue("COMPRESSION") {
            if let parsed = StreamingConfig.Compression(rawValue: value.lowercased()) {
                streaming.compression = parsed
            } else {
                warnings.append("\(name)=\(value) ignored: use gzip or none")
            }
        }
        if !isSet("timeout"), let (name, value) = signalValue("TIMEOUT") {
            if let milliseconds = Int64(value), milliseconds > 0 {
                streaming.timeout = .milliseconds(milliseconds)
            } else {
                warnings.append("\(name)=\(value) ignored: Telegen needs a positive number of milliseconds")
            }
        }
        if !isSet("temporality"), let value = environment["OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE"] {
            switch value.lowercased() {
            case "cumulative", "lowmemory":
                // Telegen's counters are observed (asynchronous), which lowmemory keeps cumulative.
                streaming.temporality = .cumulative
            case "delta":
                streaming.temporality = .delta
            default:
                warnings.append("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=\(value) ignored: use cumulative, delta or lowmemory")
            }
        }
        let tlsPrefix = "tls."
        if !isSet(tlsPrefix + "ca_file"), let (_, value) = signalValue("CERTIFICATE") { streaming.tls.caFile = value }
        if !isSet(tlsPrefix + "cert_file"), let (_, value) = signalValue("CLIENT_CERTIFICATE") { streaming.tls.certFile = value }
        if !isSet(tlsPrefix + "key_file"), let (_, value) = signalValue("CLIENT_KEY") { streaming.tls.keyFile = value }
        config.kubeMetrics.streaming = streaming

        let logsPrefix = "kube_metrics.logs_streaming."
        if !explicitKeys.contains(logsPrefix + "endpoint"),
           let endpoint = environment["OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"], !endpoint.isEmpty {
            config.kubeMetrics.logsStreaming.signalEndpoint = withScheme(endpoint, insecure: isInsecure(signal: "LOGS"))
        }
        // Logs: logs_streaming.protocol, else OTEL_EXPORTER_OTLP_LOGS_PROTOCOL, else
        // streaming.protocol from the file, else OTEL_EXPORTER_OTLP_PROTOCOL, else the
        // default. Nil inherits streaming's, which is right unless the metrics variable
        // chose it: that one is not the logs'.
        if !explicitKeys.contains(logsPrefix + "protocol") {
            if let logsProtocol {
                config.kubeMetrics.logsStreaming.transportProtocol = logsProtocol
            } else if !isSet("protocol") {
                let chosen = genericProtocol ?? StreamingConfig().transportProtocol
                if chosen != streaming.transportProtocol { config.kubeMetrics.logsStreaming.transportProtocol = chosen }
            }
        }
        warnings += applyLogs(to: &config.kubeMetrics.logsStreaming, explicitKeys: explicitKeys)

        if !explicitKeys.contains("kubernetes.cluster_name") {
            switch resourceAttributes() {
            case .success(let attributes):
                if let name = attributes.last(where: { $0.key == "k8s.cluster.name" })?.value {
                    config.kubernetes.clusterName = name
                }
            case .failure(let error):
                warnings.append("OTEL_RESOURCE_ATTRIBUTES ignored: \(error.reason)")
            }
        }
        return warnings
    }

    /// `OTEL_EXPORTER_OTLP_LOGS_HEADERS` and `_COMPRESSION` (the endpoint and protocol
    /// are resolved above); the generic ones reach the logs through what
    /// `logs_streaming` inherits from `streaming`.
    private func applyLogs(to logs: inout LogsStreamingConfig, explicitKeys: Set<String>) -> [String] {
        var warnings: [String] = []
        func isSet(_ key: String) -> Bool { explicitKeys.contains("kube_metrics.logs_streaming." + key) }
        func value(_ suffix: String) -> (String, String)? {
            let name = "OTEL_EXPORTER_OTLP_LOGS_\(suffix)"
            return environment[name].flatMap { $0.isEmpty ? nil : (name, $0) }
        }
        if !isSet("headers"), let (name, text) = value("HEADERS") {
            switch Self.parseHeaders(text) {
            case .success(let headers): logs.headers = headers
            case .failure(let error): warnings.append("\(name) ignored: \(error.reason)")
            }
        }
        if !isSet("compression"), let (name, text) = value("COMPRESSION") {
            if let parsed = StreamingConfig.Compression(rawValue: text.lowercased()) {
                logs.compression = parsed
            } else {
                warnings.append("\(name)=\(text) ignored: use gzip or none")
            }
        }
        return warnings
    }

    /// `OTEL_RESOURCE_ATTRIBUTES`: `key=value` pairs, comma-separated, percent-encoded.
    /// On any malformed pair the whole value is discarded (specification/resource/sdk.md).
    func resourceAttributes() -> Result<[(key: String, value: String)], ConfigValues.ValueError> {
        guard let raw = environment["OTEL_RESOURCE_ATTRIBUTES"], !raw.isEmpty else { return .success([]) }
        return Self.parsePairs(raw).map { $0.map { (key: $0.0, value: $0.1) } }
    }

    // MARK: Helpers

    /// The per-signal variable if set, else the generic one, with its name.
    private func signalValue(_ suffix: String) -> (String, String)? {
        for name in ["OTEL_EXPORTER_OTLP_METRICS_\(suffix)", "OTEL_EXPORTER_OTLP_\(suffix)"] {
            if let value = environment[name], !value.isEmpty { return (name, value) }
        }
        return nil
    }

    /// `grpc` or `http/protobuf`, nil when unset. Anything else is ignored with a
    /// warning, as the specification asks of an invalid variable: `http/json` too, a
    /// valid OTLP protocol that Telegen does not speak (in the file it is an error).
    private func protocolVariable(_ name: String, warnings: inout [String]) -> StreamingConfig.TransportProtocol? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        if let parsed = StreamingConfig.TransportProtocol(rawValue: value) { return parsed }
        let reason = value == "http/json" ? "Telegen sends OTLP as binary protobuf: use http/protobuf or grpc" : "use grpc or http/protobuf"
        warnings.append("\(name)=\(value) ignored: \(reason)")
        return nil
    }

    private func isInsecure(signal: String) -> Bool {
        let value = environment["OTEL_EXPORTER_OTLP_\(signal)_INSECURE"] ?? environment["OTEL_EXPORTER_OTLP_INSECURE"]
        return value?.lowercased() == "true"
    }

    /// gRPC endpoints may come without a scheme; `*_INSECURE=true` then means plaintext.
    private func withScheme(_ endpoint: String, insecure: Bool) -> String {
        if endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://") { return endpoint }
        return (insecure ? "http://" : "https://") + endpoint
    }

    static func parseHeaders(_ text: String) -> Result<[String: String], ConfigValues.ValueError> {
        parsePairs(text).map { pairs in
            Dictionary(pairs.map { ($0.0.lowercased(), $0.1) }, uniquingKeysWith: { _, last in last })
        }
    }

    /// `k1=v1,k2=v2` with percent-encoded keys and values (W3C Baggage syntax, without
    /// properties). The headers' values are credentials, so a failure places the bad
    /// item by its position (and by its key once that parsed) and never quotes it.
    private static func parsePairs(_ text: String) -> Result<[(String, String)], ConfigValues.ValueError> {
        var pairs: [(String, String)] = []
        for (index, item) in text.split(separator: ",", omittingEmptySubsequences: true).enumerated() {
            let trimmed = item.trimmingSpaces()
            if trimmed.isEmpty { continue }
            let position = "item \(index + 1)"
            guard let equals = trimmed.firstIndex(of: "=") else {
                return .failure(ConfigValues.ValueError("\(position) is not key=value"))
            }
            let key = trimmed[..<equals].trimmingSpaces()
            let value = trimmed[trimmed.index(after: equals)...].trimmingSpaces()
            guard !key.isEmpty else { return .failure(ConfigValues.ValueError("\(position) has an empty key")) }
            guard let decodedKey = percentDecoded(key) else {
                return .failure(ConfigValues.ValueError("\(position) has a bad percent escape in its key"))
            }
            guard let decodedValue = percentDecoded(value) else {
                // The key is named only when it looks like one, not like a misplaced token.
                let named = decodedKey.utf8.allSatisfy { $0 < 0x80 && ($0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")
                    || $0 == UInt8(ascii: ".") || Character(Unicode.Scalar($0)).isLetter || Character(Unicode.Scalar($0)).isNumber) }
                let which = named ? "the value of \"\(decodedKey)\" (\(position))" : "the value of \(position)"
                return .failure(ConfigValues.ValueError("\(which) has a bad percent escape"))
            }
            pairs.append((decodedKey, decodedValue))
        }
        return .success(pairs)
    }

    static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var slice = self
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return slice
    }
}
