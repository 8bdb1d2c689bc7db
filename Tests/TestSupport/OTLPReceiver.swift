import Foundation

/// The Python OTLP receiver (official opentelemetry-proto stubs on grpcio); see
/// Tests/Python/otlp_receiver.py for the behaviours it scripts.
public final class OTLPReceiver: Sendable {
    public let server: PythonServer
    public var port: Int { server.port }

    public struct TLSFiles: Sendable {
        public var certificate: String
        public var key: String
        public var clientCA: String?

        public init(certificate: String, key: String, clientCA: String? = nil) {
            self.certificate = certificate
            self.key = key
            self.clientCA = clientCA
        }
    }

    /// Starts the receiver; `script` lists how to answer successive calls (JSON values).
    public init(script: [Any] = [], tls: TLSFiles? = nil, port: Int? = nil, maximumReceiveBytes: Int? = nil, host: String = "127.0.0.1") throws {
        // The script must outlive this initializer (the receiver re-reads it on restart).
        scriptDirectory = try TemporaryDirectory("otlp-script")
        let scriptFile = scriptDirectory.url.appendingPathComponent("script.json")
        try JSONSerialization.data(withJSONObject: script).write(to: scriptFile)
        var arguments = ["--script", scriptFile.path, "--host", host]
        if let tls {
            arguments += ["--tls-cert", tls.certificate, "--tls-key", tls.key]
            if let clientCA = tls.clientCA { arguments += ["--client-ca", clientCA] }
        }
        if let maximumReceiveBytes { arguments += ["--max-receive-bytes", String(maximumReceiveBytes)] }
        server = try PythonServer(script: "otlp_receiver.py", arguments: arguments, port: port)
    }

    private let scriptDirectory: TemporaryDirectory

    public func start() throws { try server.start() }
    public func stop() { server.stop() }
    public func received() throws -> [[String: Any]] { try server.received() }
    public func waitForRequests(_ count: Int, timeout: Duration = .seconds(30)) async throws -> [[String: Any]] {
        try await server.waitForRecords(count, timeout: timeout)
    }
}

/// A CA, a server certificate for localhost/127.0.0.1, a client certificate, and an
/// unrelated CA, made with the openssl command line.
public struct TestCertificates: Sendable {
    public let directory: TemporaryDirectory
    public var caCertificate: String { directory.path + "/ca.pem" }
    public var serverCertificate: String { directory.path + "/server.pem" }
    public var serverKey: String { directory.path + "/server.key" }
    public var clientCertificate: String { directory.path + "/client.pem" }
    public var clientKey: String { directory.path + "/client.key" }
    public var otherCACertificate: String { directory.path + "/other-ca.pem" }
    /// A server certificate for the name otlp.telegen.test only (no IP address), for
    /// checks of `server_name` that an IP address entry would satisfy on its own.
    public var namedServerCertificate: String { directory.path + "/named-server.pem" }
    public var namedServerKey: String { directory.path + "/named-server.key" }

    public init() throws {
        directory = try TemporaryDirectory("certs")
        let openssl = try Command.which("openssl", installHint: "apt-get install openssl (scripts/test does)")
        let dir = directory.path
        func run(_ arguments: [String]) throws {
            let result = try Command.run(openssl, arguments)
            guard result.status == 0 else { throw CommandError.missing("openssl \(arguments.joined(separator: " ")): \(result.stderr)") }
        }
        for ca in ["ca", "other-ca"] {
            try run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "\(dir)/\(ca).key",
                     "-out", "\(dir)/\(ca).pem", "-days", "2", "-subj", "/CN=telegen-test-\(ca)",
                     "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        }
        for (name, usage, san) in [("server", "serverAuth", "subjectAltName=DNS:localhost,DNS:otlp.telegen.test,IP:127.0.0.1"),
                                   ("client", "clientAuth", "subjectAltName=DNS:telegen-agent"),
                                   ("named-server", "serverAuth", "subjectAltName=DNS:otlp.telegen.test")] {
            try run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "\(dir)/\(name).key",
                     "-out", "\(dir)/\(name).csr", "-subj", "/CN=\(name)"])
            try "\(san)\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=\(usage)\n"
                .write(toFile: "\(dir)/\(name).ext", atomically: true, encoding: .utf8)
            try run(["x509", "-req", "-in", "\(dir)/\(name).csr", "-CA", "\(dir)/ca.pem", "-CAkey", "\(dir)/ca.key",
                     "-CAcreateserial", "-out", "\(dir)/\(name).pem", "-days", "2", "-extfile", "\(dir)/\(name).ext"])
        }
    }
}
