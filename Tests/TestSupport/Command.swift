import Foundation

/// Runs external programs (promtool, node_exporter, python, the telegen binary) for
/// tests that compare Telegen with real peers.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

public enum Command {
    /// Runs a program to completion, feeding `input` on standard input.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], input: [UInt8]? = nil,
                           environment: [String: String]? = nil, timeout: TimeInterval = 120) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let stdout = Pipe(), stderr = Pipe(), stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        try process.run()
        // Drain both pipes concurrently so a chatty child never blocks on a full pipe.
        let out = Drain(stdout.fileHandleForReading), err = Drain(stderr.fileHandleForReading)
        if let input { stdin.fileHandleForWriting.write(Data(input)) }
        try? stdin.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw CommandError.timedOut("\(executable) \(arguments.joined(separator: " "))")
        }
        process.waitUntilExit()
        return CommandResult(status: process.terminationStatus, stdout: out.text(), stderr: err.text())
    }

    /// The full path of a program on PATH, or a failure naming what installs it.
    public static func which(_ name: String, installHint: String) throws -> String {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw CommandError.missing("\(name) is not installed; \(installHint)")
    }
}

public enum CommandError: Error, CustomStringConvertible {
    case timedOut(String)
    case missing(String)

    public var description: String {
        switch self {
        case .timedOut(let command): "timed out: \(command)"
        case .missing(let message): message
        }
    }
}

/// Reads a pipe to its end on a background thread.
private final class Drain: @unchecked Sendable {
    // Safe: `data` is written only by the reading thread before `done` is signalled,
    // and read only after waiting on `done`.
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func text() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}

extension CommandResult {
    /// Standard output followed by standard error.
    public var combinedOutput: String { stdout + stderr }
}
