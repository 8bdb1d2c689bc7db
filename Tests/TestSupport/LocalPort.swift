import Foundation

#if canImport(Glibc)
import Glibc
#endif

public enum LocalPort {
    /// A TCP port on 127.0.0.1 that nothing listens on right now (the kernel picks it).
    public static func free() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CommandError.missing("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw CommandError.missing("bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
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
