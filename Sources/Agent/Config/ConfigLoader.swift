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

    /// `--config` if given, else the default path when that file exists, else the built-in defaults.
    static func load(explicitPath: String?, environment: [String: String]) -> Result<LoadedConfig, ConfigErrors> {
        let path = explicitPath ?? (access(defaultPath, F_OK) == 0 ? defaultPath : nil)
        guard let path else {
            var config = AgentConfig()
            let warnings = OTLPEnvironment(environment).apply(to: &config, explicitKeys: [])
            return .success(LoadedConfig(config: config, file: nil, warnings: warnings))
        }
        let bytes: [UInt8]
        do {
            bytes = try readFile(path)
        } catch {
            return .failure(ConfigErrors(diagnostics: [ConfigDiagnostic(file: path, line: 1, column: 1, message: "cannot read the configuration: \(error)")]))
        }
        return parse(bytes, file: path).map { parsed in
            var config = parsed.config
            let warnings = OTLPEnvironment(environment).apply(to: &config, explicitKeys: parsed.explicitKeys)
            return LoadedConfig(config: config, file: path, warnings: warnings)
        }
    }

    /// Validates YAML text; every problem becomes one diagnostic.
    static func parse(_ bytes: [UInt8], file: String) -> Result<(config: AgentConfig, explicitKeys: Set<String>), ConfigErrors> {
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
        return .success((config, report.explicitKeys))
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
