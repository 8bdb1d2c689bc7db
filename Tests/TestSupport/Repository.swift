import Foundation

/// Paths in the Telegen checkout the tests run from.
public enum Repository {
    /// The package root, found from this file's location.
    public static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    /// The Python with the official opentelemetry-proto and grpcio packages, made by
    /// `scripts/test` (override with TELEGEN_TEST_PYTHON).
    public static func python() throws -> String {
        if let path = ProcessInfo.processInfo.environment["TELEGEN_TEST_PYTHON"] { return path }
        let path = root.appendingPathComponent(".venv/bin/python3").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw CommandError.missing("\(path) is missing; run scripts/test, which creates it with the test's Python packages")
        }
        return path
    }

    /// The built `telegen` binary next to the test bundle.
    public static func telegenBinary() throws -> String {
        let candidates = [
            ProcessInfo.processInfo.environment["TELEGEN_BINARY"],
            root.appendingPathComponent(".build/debug/telegen").path,
        ].compactMap { $0 }
        for path in candidates where FileManager.default.isExecutableFile(atPath: path) { return path }
        throw CommandError.missing("telegen binary not found; run `swift build` first (scripts/test does)")
    }
}

/// A directory removed when the value is released.
public final class TemporaryDirectory: Sendable {
    public let url: URL

    public init(_ prefix: String = "telegen-test") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public var path: String { url.path }

    /// Writes `text` at `relative`, creating parent directories.
    @discardableResult
    public func write(_ relative: String, _ text: String) throws -> String {
        let file = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: file, atomically: false, encoding: .utf8)  // no fsync: fixtures need no durability
        return file.path
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}
