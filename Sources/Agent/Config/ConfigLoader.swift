import HTTP2Transport
import Yams

#if canImport(Glibc)
import Glibc
#endif

/// Where the configuration came from and what it says.
struct LoadedConfig: Sendable {
    var config: AgentConfig
    /// The file read, or nil for the built-in defaults.
    var file: String?
    /// Environment values that were ignored, to be logged once logging is set up.
    var warnings: [String]
}

/// Finds, reads and strictly validates `telegen.yaml`, then lets the `OTEL_*`
/// environment fill what the file left unset.
enum ConfigLoader {
    static let defaultPath = "/etc/telegen/telegen.yaml"

    /// What a file says, before the environment is applied.
    struct Parsed {
        var config: AgentConfig
        var explicitKeys: Set<String>
        var marks: [String: Mark]
    }

    /// `--config` if given, else the default path when that file exists, else the built-in defaults.
    static func load(explicitPath: String?, environment: [String: String]) -> Result<LoadedConfig, ConfigErrors> {
        let path = explicitPath ?? (access(defaultPath, F_OK) == 0 ? defaultPath : nil)
        var parsed = Parsed(config: AgentConfig(), explicitKeys: [], marks: [:])
        if let path {
            let bytes: [UInt8]
            do {
                bytes = try readFile(path)
            } catch {
                return .failure(ConfigErrors(diagnostics: [ConfigDiagnostic(file: path, line: 1, column: 1, message: "cannot read the configuration: \(error)")]))
            }
            switch parse(bytes, file: path) {
            case .success(let value): parsed = value
            case .failure(let errors): return .failure(errors)
            }
        }
        var config = parsed.config
        let warnings = OTLPEnvironment(environment).apply(to: &config, explicitKeys: parsed.explicitKeys)
        let problems = checkCombination(config, file: path ?? "built-in defaults", marks: parsed.marks, environment: environment)
        guard problems.isEmpty else { return .failure(ConfigErrors(diagnostics: problems)) }
        return .success(LoadedConfig(config: config, file: path, warnings: warnings))
    }

    /// Validates YAML text; every problem becomes one diagnostic.
    static func parse(_ bytes: [UInt8], file: String) -> Result<Parsed, ConfigErrors> {
        if let position = firstInvalidUTF8(bytes) {
            return .failure(ConfigErrors(diagnostics: [ConfigDiagnostic(
                file: file, line: position.line, column: position.column, message: "the file is not valid UTF-8")]))
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let root: Node?
        do {
            // The basic resolver leaves scalar typing to ConfigSection (YAML 1.2 core
            // schema); Yams' default one runs NSRegularExpression, and thereby ICU, on
            // every scalar, which costs the agent megabytes of resident memory.
            root = try Yams.compose(yaml: text, .basic)
        } catch {
            return .failure(ConfigErrors(diagnostics: [yamlDiagnostic(error, file: file)]))
        }
        let report = ConfigReport(file: file)
        let config = AgentConfig(reading: ConfigSection(path: "", node: root, report: report))
        if !report.diagnostics.isEmpty {
            let sorted = report.diagnostics.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
            return .failure(ConfigErrors(diagnostics: sorted))
        }
        return .success(Parsed(config: config, explicitKeys: report.explicitKeys, marks: report.marks))
    }

    /// Checks that need the file and the environment together (an endpoint may come
    /// from either). Problems point at the key that asked for the feature.
    static func checkCombination(_ config: AgentConfig, file: String, marks: [String: Mark],
                                 environment: [String: String]) -> [ConfigDiagnostic] {
        var problems: [ConfigDiagnostic] = []
        func problem(_ key: String, near alternatives: [String] = [], _ message: String) {
            let mark = ([key] + alternatives).lazy.compactMap { marks[$0] }.first
            problems.append(ConfigDiagnostic(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, message: "\(key): \(message)"))
        }
        let metrics = config.kubeMetrics
        let kubeState = metrics.kubeState
        if kubeState.enabled && kubeState.isSharded {
            do {
                _ = try ShardAssignment.resolve(kubeState, environment: environment)
            } catch {
                problem(error.key, error.message)
            }
            // A shard serves some pods of every node; the container collector names this node's.
            if metrics.cadvisor.enabled {
                problem("kube_metrics.cadvisor.enabled", near: ["kube_metrics.kube_state.total_shards"],
                        "a sharded replica runs kube-state only; the container collector belongs to the DaemonSet (set it to false)")
            }
        }
        let streaming = metrics.streaming
        if streaming.enabled {
            if let target = ExportTarget.metrics(metrics) {
                checkURL(target, problem: problem)
            } else {
                problem("kube_metrics.streaming.endpoint", near: ["kube_metrics.streaming.enabled"],
                        "required when streaming is enabled (or set OTEL_EXPORTER_OTLP_ENDPOINT)")
            }
            for (key, path) in [("ca_file", streaming.tls.caFile), ("cert_file", streaming.tls.certFile), ("key_file", streaming.tls.keyFile)]
            where !path.isEmpty && access(path, R_OK) != 0 {
                problem("kube_metrics.streaming.tls.\(key)", near: ["kube_metrics.streaming.enabled"],
                        "cannot read \(path): \(String(cString: strerror(errno)))")
            }
        }
        // Scraped application metrics are only ever pushed.
        if metrics.appMetrics.enabled && !streaming.enabled {
            problem("kube_metrics.app_metrics.enabled", "application metrics are sent over OTLP only: enable kube_metrics.streaming too")
        }
        if metrics.appMetrics.enabled && !metrics.appMetrics.caFile.isEmpty && access(metrics.appMetrics.caFile, R_OK) != 0 {
            problem("kube_metrics.app_metrics.ca_file", "cannot read \(metrics.appMetrics.caFile): \(String(cString: strerror(errno)))")
        }
        let logs = metrics.logsStreaming
        if logs.enabled {
            let settings = logs.exporter(inheriting: streaming)
            if let target = ExportTarget.logs(metrics) {
                // streaming's endpoint, already checked when streaming is enabled.
                if !(streaming.enabled && target.key == "kube_metrics.streaming.endpoint") { checkURL(target, problem: problem) }
            } else {
                problem("kube_metrics.logs_streaming.endpoint", near: ["kube_metrics.logs_streaming.enabled"],
                        "required when logs streaming is enabled and streaming.endpoint is empty")
            }
            // Inherited TLS files were checked above when streaming itself is enabled.
            let section = logs.tls != nil ? "logs_streaming" : "streaming"
            for (key, path) in [("ca_file", settings.tls.caFile), ("cert_file", settings.tls.certFile), ("key_file", settings.tls.keyFile)]
            where (logs.tls != nil || !streaming.enabled) && !path.isEmpty && access(path, R_OK) != 0 {
                problem("kube_metrics.\(section).tls.\(key)", near: ["kube_metrics.logs_streaming.enabled"],
                        "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if !logs.checkpointFile.isEmpty {
                let directory = logs.checkpointFile.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
                let path = directory.isEmpty ? (logs.checkpointFile.hasPrefix("/") ? "/" : ".") : directory
                if access(path, W_OK) != 0 {
                    problem("kube_metrics.logs_streaming.checkpoint_file", "cannot write in \(path): \(String(cString: strerror(errno)))")
                }
            }
        }
        return problems
    }

    /// The URL a signal's requests go to must parse as an endpoint (an environment
    /// variable may have supplied it, past the file's own check).
    private static func checkURL(_ target: ExportTarget, problem: (String, [String], String) -> Void) {
        if case .failure(let error) = Result(catching: { try HTTP2Endpoint(url: target.url) }) {
            problem(target.key, [], "\(error)")
        }
    }

    private static func yamlDiagnostic(_ error: Error, file: String) -> ConfigDiagnostic {
        switch error as? YamlError {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return ConfigDiagnostic(file: file, line: mark.line, column: mark.column, message: "invalid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            return ConfigDiagnostic(file: file, line: context.mark.line, column: context.mark.column, message: "duplicate key \(keys)")
        case .reader(let problem, _, _, _):
            return ConfigDiagnostic(file: file, line: 1, column: 1, message: "invalid YAML: \(problem)")
        default:
            return ConfigDiagnostic(file: file, line: 1, column: 1, message: "invalid YAML: \(error)")
        }
    }

    /// Line and column (1-based, counting characters) of the first byte that is not valid UTF-8.
    private static func firstInvalidUTF8(_ bytes: [UInt8]) -> (line: Int, column: Int)? {
        var line = 1, column = 1
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if scalar == "\n" { line += 1; column = 1 } else { column += 1 }
            case .emptyInput:
                return nil
            case .error:
                return (line, column)
            }
        }
    }

    private static func readFile(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(errno: errno) }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileError(errno: errno)
            }
            if count == 0 { return result }
            result.append(contentsOf: chunk[0..<count])
            if result.count > 16 << 20 { throw FileError(errno: EFBIG) }
        }
    }

    private struct FileError: Error, CustomStringConvertible {
        var errno: Int32
        var description: String { String(cString: strerror(errno)) }
    }
}
