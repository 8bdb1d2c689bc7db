import Foundation

/// The Python OTLP/HTTP receiver (official opentelemetry-proto stubs on http.server);
/// see Tests/Python/otlp_http_receiver.py for the behaviours it scripts and what it
/// records per request.
public final class OTLPHTTPReceiver: Sendable {
    public let server: PythonServer
    public var port: Int { server.port }

    /// Starts the receiver; `script` lists how to answer successive exports (JSON values).
    public init(script: [Any] = [], tls: OTLPReceiver.TLSFiles? = nil, port: Int? = nil, host: String = "127.0.0.1") throws {
        // The script must outlive this initializer (the receiver re-reads it on restart).
        scriptDirectory = try TemporaryDirectory("otlp-http-script")
        let scriptFile = scriptDirectory.url.appendingPathComponent("script.json")
        try JSONSerialization.data(withJSONObject: script).write(to: scriptFile)
        var arguments = ["--script", scriptFile.path, "--host", host]
        if let tls {
            arguments += ["--tls-cert", tls.certificate, "--tls-key", tls.key]
            if let clientCA = tls.clientCA { arguments += ["--client-ca", clientCA] }
        }
        server = try PythonServer(script: "otlp_http_receiver.py", arguments: arguments, port: port)
    }

    private let scriptDirectory: TemporaryDirectory

    public func start() throws { try server.start() }
    public func stop() { server.stop() }
    public func received() throws -> [[String: Any]] { try server.received() }
    public func waitForRequests(_ count: Int, timeout: Duration = .seconds(30)) async throws -> [[String: Any]] {
        try await server.waitForRecords(count, timeout: timeout)
    }
}
