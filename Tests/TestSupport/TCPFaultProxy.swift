import Foundation

/// Tests/Python/tcp_proxy.py in front of a local port: `blackhole()` drops every byte
/// without closing anything, as a partition does; `stall()` does that only to the
/// connections open at that moment and forwards new ones; `forward()` resumes.
public final class TCPFaultProxy: Sendable {
    public let server: PythonServer
    private let modeFile: String
    private let directory: TemporaryDirectory
    public var port: Int { server.port }

    public init(target: Int) throws {
        let scratch = try TemporaryDirectory("proxy")
        modeFile = try scratch.write("mode", "forward")
        directory = scratch
        server = try PythonServer(script: "tcp_proxy.py", arguments: ["--target", "127.0.0.1:\(target)", "--mode-file", modeFile])
    }

    public func blackhole() throws { try set("blackhole") }
    public func stall() throws { try set("stall") }
    public func forward() throws { try set("forward") }

    /// The proxy re-reads the mode every 50 ms; this waits until it has surely seen it.
    private func set(_ mode: String) throws {
        try mode.write(toFile: modeFile, atomically: true, encoding: .utf8)
        usleep(200_000)
    }
}
