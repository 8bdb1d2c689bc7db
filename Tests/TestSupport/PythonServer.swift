import Foundation

/// A test server written in Python (Tests/Python/*.py) running as a child process
/// on a fixed port. It prints "READY <port>" when serving and appends what it
/// received to a JSON-lines file.
public final class PythonServer: @unchecked Sendable {
    // Safe: `process` is touched only by the test that owns the server, one call at a time.
    public let port: Int
    public let recordFile: URL
    public let scratch: TemporaryDirectory
    private let arguments: [String]
    private var process: Process?

    /// `arguments` follow the script; `--record FILE --port PORT` are added.
    public init(script: String, arguments: [String], port: Int? = nil) throws {
        scratch = try TemporaryDirectory("python-server")
        recordFile = scratch.url.appendingPathComponent("received.jsonl")
        FileManager.default.createFile(atPath: recordFile.path, contents: nil)
        self.port = try port ?? LocalPort.free()
        self.arguments = [Repository.root.appendingPathComponent("Tests/Python/\(script)").path] + arguments
            + ["--record", recordFile.path, "--port", String(self.port)]
        try start()
    }

    /// (Re)starts the process on the same port, keeping what was recorded.
    public func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Repository.python())
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        self.process = process
        let handle = output.fileHandleForReading
        var text = ""
        let deadline = Date().addingTimeInterval(30)
        while !text.contains("READY") && Date() < deadline && process.isRunning {
            let chunk = handle.availableData
            if chunk.isEmpty { usleep(20_000) } else { text += String(decoding: chunk, as: UTF8.self) }
        }
        guard text.contains("READY") else { throw CommandError.timedOut("\(arguments[0]) did not start: \(text)") }
    }

    /// Stops the process; the port then refuses connections.
    public func stop() {
        guard let process, process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
        self.process = nil
    }

    /// Every record so far, decoded from the JSON lines. A line the server is still
    /// writing (no newline yet) is not a record yet.
    public func received() throws -> [[String: Any]] {
        var text = try String(contentsOf: recordFile, encoding: .utf8)
        if let lastNewline = text.lastIndex(of: "\n") {
            text = String(text[...lastNewline])
        } else {
            text = ""
        }
        return try text.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    /// Waits until at least `count` records arrived (or `timeout` passes) and returns them.
    /// It suspends rather than blocks: the code under test needs the cooperative pool
    /// (two threads on a 2-core machine) while the test waits.
    public func waitForRecords(_ count: Int, timeout: Duration = .seconds(30)) async throws -> [[String: Any]] {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            let records = try received()
            if records.count >= count { return records }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try received()
    }

    deinit { stop() }
}
