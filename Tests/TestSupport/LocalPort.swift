import Foundation

#if canImport(Glibc)
import Glibc
#endif

public enum LocalPort {
    /// A TCP port on 127.0.0.1 that nothing listens on right now (the kernel picks it).
    /// The port may be taken by anyone once this returns; a test that needs it to stay
    /// refused holds a `RefusedPort` instead.
    public static func free() throws -> Int {
        try RefusedPort().port
    }

    /// Polls until `url` answers, or fails after `timeout`.
    public static func waitUntilServing(_ url: String, timeout: TimeInterval = 20) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let result = try? Command.run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", url], timeout: 5),
               result.stdout == "200" {
                return
            }
            usleep(100_000)
        }
        throw CommandError.timedOut("waiting for \(url)")
    }
}

/// A background process (node_exporter, prometheus) stopped when released.
public final class BackgroundProcess: @unchecked Sendable {
    // Safe: `process` is set once in init and only read afterwards; Process itself is thread-safe for terminate().
    private let process: Process
    private let log: URL

    /// `environment`: the child's whole environment (nil: this process's).
    public init(_ executable: String, _ arguments: [String], logFile: URL, environment: [String: String]? = nil) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logFile)
        process.standardOutput = handle
        process.standardError = handle
        log = logFile
        try process.run()
    }

    public var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
    public var isRunning: Bool { process.isRunning }

    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// Sends `signal` (SIGKILL, SIGTERM, ...) and waits for the exit.
    public func signal(_ signal: Int32) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
    }

    /// Valid once the process has exited.
    public var terminationStatus: Int32 { process.terminationStatus }

    deinit { stop() }
}

public enum HTTP {
    /// GET with curl: status, headers (lowercased names) and body.
    public static func get(_ url: String, headers: [String: String] = [:], compressed: Bool = false) throws
        -> (status: Int, headers: [String: String], body: String) {
        var arguments = ["-s", "-D", "-", "--max-time", "30"]
        if compressed { arguments.append("--compressed") }
        for (name, value) in headers { arguments += ["-H", "\(name): \(value)"] }
        arguments.append(url)
        let result = try Command.run("/usr/bin/curl", arguments)
        guard result.status == 0 else { throw CommandError.missing("curl \(url) failed: \(result.stderr)") }
        let parts = result.stdout.components(separatedBy: "\r\n\r\n")
        let head = parts[0].components(separatedBy: "\r\n")
        let status = Int(head.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var fields: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return (status, fields, parts.dropFirst().joined(separator: "\r\n\r\n"))
    }
}
