import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A fake Kubernetes API server (Tests/Python/fake_apiserver.py): HTTP/2 over TLS with
/// ALPN h2 (or h2c), list/watch with pagination, selectors, bookmarks, compaction and
/// 410s, bearer-token or client-certificate authentication, and a JSON control port
/// through which a test changes objects and injects failures.
///
/// It is started with a fresh CA and a server certificate for localhost/127.0.0.1
/// (`certificates`), a bearer token in `tokenFile` (which `rotateToken` rewrites; the
/// server re-reads it on every request), and records every API request it answers
/// (`requests()`).
public final class FakeAPIServer: Sendable {
    // Sendable without @unchecked: every stored property is an immutable `let` of a
    // Sendable type (PythonServer documents its own safety); the token lives in a file.

    public struct Options: Sendable {
        /// Generate this many realistic pods (plus their Node and Namespace objects).
        public var syntheticPods: Int
        /// The nodes synthetic pods are spread over.
        public var nodes: Int
        /// Seed of the synthetic cluster (the same seed gives the same objects).
        public var seed: Int
        /// Files to preload: `{"pods":[...], "apps/v1/deployments":[...]}`, a kubectl
        /// `List`, or one object (see `FakeAPIServer.fixture(_:)`).
        public var objectsFiles: [String]
        /// Seconds between BOOKMARK events on watches that allow them (0: only on `bookmark()`).
        public var bookmarkInterval: Double
        /// Require `Authorization: Bearer <token>` on every request.
        public var requireToken: Bool
        /// The initial bearer token.
        public var token: String
        /// Require a client certificate signed by `certificates.caCertificate`
        /// (`certificates.clientCertificate`/`clientKey` is one). With `requireToken` too,
        /// either one authenticates, as kube-apiserver's union authenticator does.
        public var requireClientCertificate: Bool
        /// h2c with prior knowledge instead of TLS.
        public var plaintext: Bool
        /// Split every watch event into DATA frames of at most this many bytes.
        public var watchChunk: Int?
        /// Keep at most this many events of history (older ones are compacted away).
        public var maxHistory: Int?
        /// The user named in 403 messages.
        public var user: String?
        /// Gzip responses of 128 KiB or more when the request accepts gzip, as kube-apiserver does.
        public var gzip: Bool
        /// More arguments for the script.
        public var extraArguments: [String]

        public init(syntheticPods: Int = 0, nodes: Int = 3, seed: Int = 1, objectsFiles: [String] = [],
                    bookmarkInterval: Double = 1, requireToken: Bool = true, token: String = "telegen-test-token-1",
                    requireClientCertificate: Bool = false, plaintext: Bool = false, watchChunk: Int? = nil,
                    maxHistory: Int? = nil, user: String? = nil, gzip: Bool = true, extraArguments: [String] = []) {
            self.syntheticPods = syntheticPods
            self.nodes = nodes
            self.seed = seed
            self.objectsFiles = objectsFiles
            self.bookmarkInterval = bookmarkInterval
            self.requireToken = requireToken
            self.token = token
            self.requireClientCertificate = requireClientCertificate
            self.plaintext = plaintext
            self.watchChunk = watchChunk
            self.maxHistory = maxHistory
            self.user = user
            self.gzip = gzip
            self.extraArguments = extraArguments
        }
    }

    public let server: PythonServer
    public let certificates: TestCertificates
    /// The HTTP/1.1 control port (JSON in and out; see the script's docstring).
    public let controlPort: Int
    /// The bearer token file, inside `serviceAccountDirectory`.
    public let tokenFile: String
    /// A directory laid out like /var/run/secrets/kubernetes.io/serviceaccount:
    /// `token`, `ca.crt` and `namespace` ("telegen").
    public let serviceAccountDirectory: String
    public let plaintext: Bool
    private let scratch: TemporaryDirectory

    /// The HTTP/2 port.
    public var port: Int { server.port }
    /// The CA that signed the server (and client) certificates.
    public var caFile: String { certificates.caCertificate }
    /// The API server's base URL: https://localhost:PORT (or http://127.0.0.1:PORT for h2c).
    public var url: String { plaintext ? "http://127.0.0.1:\(port)" : "https://localhost:\(port)" }
    /// The token the server currently accepts.
    public var token: String {
        ((try? String(contentsOfFile: tokenFile, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Starts the server. `objects` are preloaded like `Options.objectsFiles`, keyed by
    /// resource ("pods", "apps/v1/replicasets").
    public init(_ options: Options = Options(), objects: [String: [[String: Any]]] = [:]) throws {
        let scratch = try TemporaryDirectory("fake-apiserver")
        let certificates = try TestCertificates()
        let controlPort = try LocalPort.free()
        let serviceAccountDirectory = scratch.path + "/serviceaccount"
        let tokenFile = try scratch.write("serviceaccount/token", options.token)
        try scratch.write("serviceaccount/namespace", "telegen")
        try FileManager.default.copyItem(atPath: certificates.caCertificate, toPath: serviceAccountDirectory + "/ca.crt")

        var arguments = ["--control-port", String(controlPort), "--bookmark-interval", String(options.bookmarkInterval)]
        if options.plaintext {
            arguments.append("--plaintext")
        } else {
            arguments += ["--cert", certificates.serverCertificate, "--key", certificates.serverKey]
        }
        if options.requireToken { arguments += ["--token-file", tokenFile] }
        if options.requireClientCertificate { arguments += ["--client-ca", certificates.caCertificate] }
        if options.syntheticPods > 0 {
            arguments += ["--synthetic-pods", String(options.syntheticPods), "--nodes", String(options.nodes),
                          "--seed", String(options.seed)]
        }
        var files = options.objectsFiles
        if !objects.isEmpty {
            let file = scratch.url.appendingPathComponent("objects.json")
            try JSONSerialization.data(withJSONObject: objects).write(to: file)
            files.append(file.path)
        }
        for file in files { arguments += ["--objects", file] }
        if let watchChunk = options.watchChunk { arguments += ["--watch-chunk", String(watchChunk)] }
        if let maxHistory = options.maxHistory { arguments += ["--max-history", String(maxHistory)] }
        if let user = options.user { arguments += ["--user", user] }
        if !options.gzip { arguments.append("--no-gzip") }
        arguments += options.extraArguments

        self.scratch = scratch
        self.certificates = certificates
        self.controlPort = controlPort
        self.serviceAccountDirectory = serviceAccountDirectory
        self.tokenFile = tokenFile
        self.plaintext = options.plaintext
        server = try PythonServer(script: "fake_apiserver.py", arguments: arguments)
    }

    /// The path of a fixture in Tests/Fixtures/kube.
    public static func fixture(_ name: String) -> String {
        Repository.root.appendingPathComponent("Tests/Fixtures/kube/\(name)").path
    }

    // MARK: Objects

    /// Creates or replaces an object (ADDED or MODIFIED on matching watches); answers
    /// {"type", "resourceVersion", "object"}. `version` defaults to the resource's usual one.
    @discardableResult
    public func upsert(resource: String, group: String = "", version: String? = nil, object: [String: Any]) throws
        -> [String: Any] {
        var body: [String: Any] = ["resource": resource, "group": group, "object": object]
        if let version { body["version"] = version }
        return try control("POST", "/objects", body) as? [String: Any] ?? [:]
    }

    /// Upserts several objects, each with its own resourceVersion, in order.
    @discardableResult
    public func upsert(resource: String, group: String = "", version: String? = nil, objects: [[String: Any]]) throws
        -> [[String: Any]] {
        var body: [String: Any] = ["resource": resource, "group": group, "objects": objects]
        if let version { body["version"] = version }
        return try control("POST", "/objects", body) as? [[String: Any]] ?? []
    }

    /// Deletes an object (DELETED with its final state and a new resourceVersion).
    /// Throws `FakeAPIServerError.control` with status 404 if there is no such object.
    @discardableResult
    public func delete(resource: String, group: String = "", version: String? = nil, namespace: String = "",
                       name: String) throws -> [String: Any] {
        var body: [String: Any] = ["resource": resource, "group": group, "namespace": namespace, "name": name]
        if let version { body["version"] = version }
        return try control("POST", "/delete", body) as? [String: Any] ?? [:]
    }

    // MARK: Failures and events

    /// Forgets the event history: watches and continue tokens from older
    /// resourceVersions get 410 Expired. Returns the compaction resourceVersion.
    @discardableResult
    public func compact() throws -> String {
        (try control("POST", "/compact") as? [String: Any])?["compacted"] as? String ?? ""
    }

    /// Resets every HTTP/2 connection (TCP RST); returns how many there were.
    @discardableResult
    public func dropConnections() throws -> Int {
        (try control("POST", "/drop-connections") as? [String: Any])?["dropped"] as? Int ?? 0
    }

    /// Sends GOAWAY(NO_ERROR) on every connection; open streams continue.
    public func goaway() throws {
        try control("POST", "/goaway")
    }

    /// Ends open watches cleanly (END_STREAM), as a server-side timeout does.
    public func endWatches(resource: String? = nil) throws {
        var body: [String: Any] = [:]
        if let resource { body["resource"] = resource }
        try control("POST", "/end-watches", body)
    }

    /// Answers 403 Forbidden (RBAC style) to every request for the resource from now on, or stops.
    public func forbid(_ resource: String, _ forbidden: Bool = true, group: String = "") throws {
        try control("POST", "/forbid", ["resource": resource, "group": group, "forbidden": forbidden])
    }

    /// Sends a BOOKMARK now on every watch that allows them.
    public func bookmark() throws {
        try control("POST", "/bookmark")
    }

    /// Answers the next `count` API requests (optionally only for `resource` and/or
    /// `verb`: "list", "watch", "get") with `status` (429 comes with Retry-After: 1).
    /// `bodyBytes`: the Status body is about that large (its message padded).
    public func failNext(status: Int, count: Int = 1, resource: String? = nil, verb: String? = nil,
                         message: String? = nil, bodyBytes: Int? = nil) throws {
        var body: [String: Any] = ["status": status, "count": count]
        if let resource { body["resource"] = resource }
        if let verb { body["verb"] = verb }
        if let message { body["message"] = message }
        if let bodyBytes { body["bodyBytes"] = bodyBytes }
        try control("POST", "/fail-next", body)
    }

    /// Answers every new watch (of `resource`, or of every resource) with 410 Expired
    /// from now on, or stops.
    public func expireWatches(resource: String? = nil, _ expired: Bool = true) throws {
        var body: [String: Any] = ["expired": expired]
        if let resource { body["resource"] = resource }
        try control("POST", "/expire-watches", body)
    }

    /// Answers every new watch (of `resource`, or of every resource) with its 200 head
    /// and then nothing (no event, no bookmark, no end at timeoutSeconds) while the
    /// connection stays healthy, from now on, or stops. `state()["stalledWatches"]`
    /// counts the watches stalled so far.
    public func stallWatches(resource: String? = nil, _ stalled: Bool = true) throws {
        var body: [String: Any] = ["stalled": stalled]
        if let resource { body["resource"] = resource }
        try control("POST", "/stall-watches", body)
    }

    /// Starts, on every open watch (of `resource`), an event of `bytes` bytes that
    /// never ends (no newline); returns how many watches got it.
    @discardableResult
    public func oversizedEvent(resource: String? = nil, bytes: Int) throws -> Int {
        var body: [String: Any] = ["bytes": bytes]
        if let resource { body["resource"] = resource }
        return (try control("POST", "/oversized-event", body) as? [String: Any])?["sent"] as? Int ?? 0
    }

    /// Replaces the bearer token; the server accepts only the new one from the next request.
    public func rotateToken(_ token: String) throws {
        // Atomically (temporary file + rename): the server never reads half a token.
        try token.write(toFile: tokenFile, atomically: true, encoding: .utf8)
    }

    // MARK: Observation

    /// resourceVersion, compacted, counts per resource, open watches, connections.
    public func state() throws -> [String: Any] {
        try control("GET", "/state") as? [String: Any] ?? [:]
    }

    /// One object as the API serves it (GET `path` with the token, over TLS unless
    /// plaintext), decoded; empty when the answer is not a JSON object.
    public func object(_ path: String) throws -> [String: Any] {
        let tls = plaintext ? [] : ["--cacert", caFile]
        let answer = try Command.run("/usr/bin/curl", ["-s"] + tls + ["-H", "Authorization: Bearer \(token)", url + path])
        return (try JSONSerialization.jsonObject(with: Data(answer.stdout.utf8)) as? [String: Any]) ?? [:]
    }

    /// The current resourceVersion (of the last change).
    public func resourceVersion() throws -> String {
        try state()["resourceVersion"] as? String ?? ""
    }

    /// Every API request answered so far: connection, stream, method, path, query,
    /// headers (authorization, accept, user-agent...), client_cert, verb, resource, status.
    public func requests() throws -> [[String: Any]] {
        try server.received()
    }

    /// Waits (suspending) until at least `count` requests were recorded.
    public func waitForRequests(_ count: Int, timeout: Duration = .seconds(30)) async throws -> [[String: Any]] {
        try await server.waitForRecords(count, timeout: timeout)
    }

    /// A kubeconfig for the server (CA file, token file), written to the scratch directory.
    /// `through`: reach the server at this port of 127.0.0.1 instead (a proxy in between).
    public func writeKubeconfig(through port: Int? = nil) throws -> String {
        let server = port.map { plaintext ? "http://127.0.0.1:\($0)" : "https://localhost:\($0)" } ?? url
        let text = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: fake
              cluster:
                server: \(server)
                certificate-authority: \(caFile)
            users:
            - name: telegen
              user:
                tokenFile: \(tokenFile)
            contexts:
            - name: fake
              context:
                cluster: fake
                user: telegen
                namespace: telegen
            current-context: fake

            """
        return try scratch.write(port.map { "kubeconfig-via-\($0)" } ?? "kubeconfig", text)
    }

    // MARK: Lifecycle

    /// Stops the server (SIGTERM); its ports then refuse connections.
    public func stop() {
        server.stop()
    }

    /// Starts it again on the same ports. The store starts over from the options.
    public func start() throws {
        try server.start()
    }

    // MARK: Control port

    /// One request to the control port; the decoded JSON answer, or a throw for a non-200.
    @discardableResult
    public func control(_ method: String, _ path: String, _ body: [String: Any]? = nil) throws -> Any {
        let payload = try body.map { try JSONSerialization.data(withJSONObject: $0) } ?? Data()
        let response = try ControlHTTP.exchange(port: controlPort, method: method, path: path, body: [UInt8](payload))
        guard response.status == 200 else {
            throw FakeAPIServerError.control(path: path, status: response.status,
                                             body: String(decoding: response.body, as: UTF8.self))
        }
        if response.body.isEmpty { return [String: Any]() }
        return try JSONSerialization.jsonObject(with: Data(response.body), options: [.fragmentsAllowed])
    }
}

public enum FakeAPIServerError: Error, CustomStringConvertible {
    case control(path: String, status: Int, body: String)
    case socket(String)

    public var description: String {
        switch self {
        case .control(let path, let status, let body): "fake API server control \(path) answered \(status): \(body)"
        case .socket(let message): "fake API server control port: \(message)"
        }
    }
}

/// A blocking HTTP/1.1 exchange over a loopback TCP socket (one request per
/// connection), for the control port: no URLSession, no run loop.
enum ControlHTTP {
    static func exchange(port: Int, method: String, path: String, body: [UInt8], timeoutSeconds: Int = 120) throws
        -> (status: Int, body: [UInt8]) {
        let head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        let request = Array(head.utf8) + body

        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FakeAPIServerError.socket("socket() failed: errno \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw FakeAPIServerError.socket("connect to 127.0.0.1:\(port) failed: errno \(errno)") }

        var sent = 0
        while sent < request.count {
            let count = request.withUnsafeBytes { buffer in
                send(fd, buffer.baseAddress! + sent, buffer.count - sent, Int32(MSG_NOSIGNAL))
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw FakeAPIServerError.socket("send failed: errno \(errno)")
            }
            sent += count
        }

        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if let complete = parse(response, atEnd: false) { return complete }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw FakeAPIServerError.socket("recv failed (errno \(errno)) after \(response.count) bytes")
            }
            response.append(contentsOf: buffer[0..<count])
        }
        guard let complete = parse(response, atEnd: true) else {
            throw FakeAPIServerError.socket("incomplete response: \(String(decoding: response, as: UTF8.self))")
        }
        return complete
    }

    /// Status and body once the response is complete (by Content-Length, or at EOF).
    private static func parse(_ bytes: [UInt8], atEnd: Bool) -> (status: Int, body: [UInt8])? {
        guard bytes.count >= 4 else { return nil }
        var headerEnd: Int?
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            headerEnd = index
            break
        }
        guard let headerEnd else { return nil }
        let lines = String(decoding: bytes[0..<headerEnd], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { return nil }
        var contentLength: Int?
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].lowercased() == "content-length" {
                contentLength = Int(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
        }
        let body = Array(bytes[(headerEnd + 4)...])
        if let contentLength {
            guard body.count >= contentLength else { return atEnd ? (status, body) : nil }
            return (status, Array(body.prefix(contentLength)))
        }
        return atEnd ? (status, body) : nil
    }
}
