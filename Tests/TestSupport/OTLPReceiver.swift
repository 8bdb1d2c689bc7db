import Foundation

/// The Python OTLP receiver (official opentelemetry-proto stubs on grpcio) as a
/// child process; see Tests/Python/otlp_receiver.py for the behaviours it scripts.
public final class OTLPReceiver: @unchecked Sendable {
    // Safe: all mutable state (`process`) is touched only by the test that owns the
    // receiver, one call at a time.
    public let port: Int
    public let recordFile: URL
    private let scratch: TemporaryDirectory
    private var process: Process?
    private let arguments: [String]

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
    public init(script: [Any] = [], tls: TLSFiles? = nil, port: Int? = nil, maximumReceiveBytes: Int? = nil) throws {
        scratch = try TemporaryDirectory("otlp-receiver")
        recordFile = scratch.url.appendingPathComponent("received.jsonl")
        FileManager.default.createFile(atPath: recordFile.path, contents: nil)
        let scriptFile = scratch.url.appendingPathComponent("script.json")
        try JSONSerialization.data(withJSONObject: script).write(to: scriptFile)
        var arguments = [Repository.root.appendingPathComponent("Tests/Python/otlp_receiver.py").path,
                         "--record", recordFile.path, "--script", scriptFile.path,
                         "--port", String(try port ?? LocalPort.free())]
        if let tls {
            arguments += ["--tls-cert", tls.certificate, "--tls-key", tls.key]
            if let clientCA = tls.clientCA { arguments += ["--client-ca", clientCA] }
        }
        if let maximumReceiveBytes { arguments += ["--max-receive-bytes", String(maximumReceiveBytes)] }
        self.arguments = arguments
        self.port = Int(arguments[arguments.firstIndex(of: "--port")! + 1])!
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
        // Wait for "READY <port>".
        let handle = output.fileHandleForReading
        var text = ""
        let deadline = Date().addingTimeInterval(30)
        while !text.contains("READY") && Date() < deadline && process.isRunning {
            let chunk = handle.availableData
            if chunk.isEmpty { usleep(20_000) } else { text += String(decoding: chunk, as: UTF8.self) }
        }
        guard text.contains("READY") else { throw CommandError.timedOut("OTLP receiver did not start: \(text)") }
    }

    /// Stops the process: the port then refuses connections.
    public func stop() {
        guard let process, process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
        self.process = nil
    }

    /// Every request recorded so far, decoded from the receiver's JSON lines.
    public func received() throws -> [[String: Any]] {
        let text = try String(contentsOf: recordFile, encoding: .utf8)
        return try text.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    /// Waits until at least `count` requests were recorded.
    public func waitForRequests(_ count: Int, timeout: TimeInterval = 30) throws -> [[String: Any]] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let requests = try received()
            if requests.count >= count { return requests }
            usleep(50_000)
        }
        return try received()
    }

    deinit { stop() }
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
                                   ("client", "clientAuth", "subjectAltName=DNS:telegen-agent")] {
            try run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "\(dir)/\(name).key",
                     "-out", "\(dir)/\(name).csr", "-subj", "/CN=\(name)"])
            try "\(san)\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=\(usage)\n"
                .write(toFile: "\(dir)/\(name).ext", atomically: true, encoding: .utf8)
            try run(["x509", "-req", "-in", "\(dir)/\(name).csr", "-CA", "\(dir)/ca.pem", "-CAkey", "\(dir)/ca.key",
                     "-CAcreateserial", "-out", "\(dir)/\(name).pem", "-days", "2", "-extfile", "\(dir)/\(name).ext"])
        }
    }
}
