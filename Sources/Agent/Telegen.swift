import ArgumentParser
import FoundationEssentials
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// `telegen`: one node agent in place of kube-state-metrics, cAdvisor and an event
/// exporter. The command line is the contract in docs/configuration.md.
@main
struct Telegen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "telegen",
        abstract: "Kubernetes node agent: kube-state, cAdvisor and node metrics and events, as OTLP and Prometheus.",
        version: "telegen \(BuildInfo.version)")

    enum LogLevel: String, ExpressibleByArgument, CaseIterable {
        case debug, info, warn, error

        var swiftLogLevel: Logger.Level {
            switch self {
            case .debug: .debug
            case .info: .info
            case .warn: .warning
            case .error: .error
            }
        }
    }

    @Option(help: "Configuration file (default: /etc/telegen/telegen.yaml when present, else built-in defaults).")
    var config: String?

    @Option(help: "Kubeconfig file for Kubernetes API access.")
    var kubeconfig: String?

    @Option(name: .customLong("node-name"), help: "This node's name (default: $NODE_NAME, else the host name).")
    var nodeName: String?

    @Option(name: .customLong("log-level"), help: "debug, info, warn or error.")
    var logLevel: LogLevel = .info

    @Flag(name: .customLong("check-config"), help: "Validate the configuration and exit: 0 valid, 2 invalid.")
    var checkConfig = false

    @Flag(help: "Collect everything once, print it, and exit (0 when every collector succeeded).")
    var once = false

    /// Exit codes: docs/configuration.md, "Exit status".
    enum Exit: Int32 {
        case clean = 0, fatal = 1, usage = 2
    }

    static func main() async {
        // A peer that closes its socket must not kill the process (OpenSSL writes with write(2)).
        signal(SIGPIPE, SIG_IGN)
        let command: Telegen
        do {
            command = try parseAsRoot() as! Telegen
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))  // --help, --version
                Glibc.exit(Exit.clean.rawValue)
            }
            let message = fullMessage(for: error)
            FileHandleWriter.standardError(message + "\n")
            Glibc.exit(Exit.usage.rawValue)
        }
        Glibc.exit(await command.execute().rawValue)
    }

    func execute() async -> Exit {
        HeapTuning.configure()
        let environment = ProcessInfo.processInfo.environment
        let loaded: LoadedConfig
        switch ConfigLoader.load(explicitPath: config, environment: environment) {
        case .success(let value):
            loaded = value
        case .failure(let errors):
            FileHandleWriter.standardError(errors.description + "\n")
            return .usage
        }
        if checkConfig {
            print("\(loaded.file ?? "built-in defaults"): configuration is valid")
            return .clean
        }

        let level = logLevel.swiftLogLevel
        LoggingSystem.bootstrap { label in LogfmtLogHandler(label: label, level: level) }
        let logger = Logger(label: "telegen")
        for warning in loaded.warnings { logger.warning("\(warning)") }

        let node = nodeName ?? environment["NODE_NAME"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.hostName()
        let agent: Agent
        do {
            agent = try Agent(config: loaded.config, nodeName: node, environment: environment, logger: logger, kubeconfigFlag: kubeconfig,
                              standalone: once)
        } catch {
            logger.error("cannot start", metadata: ["error": "\(error)"])
            return .fatal
        }
        if once {
            let (text, succeeded) = await agent.collectOnce()
            FileHandleWriter.standardOutput(text)
            return succeeded ? .clean : .fatal
        }
        logger.info("starting", metadata: [
            "version": "\(BuildInfo.version)", "config": "\(loaded.file ?? "built-in defaults")", "node": "\(node)",
        ])
        do {
            try await agent.run()
            logger.info("stopped")
            return .clean
        } catch {
            logger.error("fatal", metadata: ["error": "\(error)"])
            return .fatal
        }
    }

    private static func hostName() -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self)
    }
}

/// Whole writes to the standard streams without touching C's `stdout`/`stderr`
/// globals, which Swift 6 rightly flags as shared mutable state.
enum FileHandleWriter {
    static func standardOutput(_ bytes: [UInt8]) { writeAll(1, bytes) }
    static func standardError(_ text: String) { writeAll(2, Array(text.utf8)) }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written <= 0 { if errno == EINTR { continue } else { return } }
                offset += written
            }
        }
    }
}
