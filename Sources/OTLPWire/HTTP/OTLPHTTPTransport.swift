import AsyncHTTPClient
import HTTP2Transport
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import TelemetryModel

/// OTLP/HTTP with binary protobuf (`protocol: http/protobuf`): each batch is one
/// `POST` of the Export*ServiceRequest to its signal's URL, on AsyncHTTPClient.
/// Over TLS it offers ALPN `h2` and `http/1.1` and speaks what the server picks;
/// `http://` endpoints get HTTP/1.1. Connections are kept alive between requests.
///
/// How responses are judged is `OTLPHTTPResponse`'s; a request that got no response
/// (connection refused or lost, TLS failure, timeout) is retryable, as OTLP says.
public struct OTLPHTTPTransport: ExportTransport {
    public var name: String { "http/protobuf" }

    /// Success bodies are read up to this (the OTLP specification's cap on responses).
    static let maximumResponseBytes = 4 * 1024 * 1024
    /// Error bodies only feed a log line (the Collector reads 64 KiB of them too).
    static let maximumErrorBytes = 64 * 1024

    public struct InvalidURL: Error, CustomStringConvertible {
        public var signal: OTLPSignal
        public var url: String
        public var reason: String
        public var description: String { "OTLP/HTTP \(signal) URL \"\(url)\": \(reason)" }
    }

    /// Where one signal's requests go.
    struct Target: Sendable {
        var url: String
        /// Set when `tls.server_name` replaced the host in `url`: the endpoint's own
        /// authority, so that the server still sees the host it was addressed by.
        var host: String?
    }

    private let targets: [OTLPSignal: Target]
    private let settings: TransportSettings
    private let client: HTTPClientOwner
    private let tls: NIOSSLConfigurationSource

    /// Times changed TLS files were loaded for new connections, and times they did not load.
    public var tlsReloads: (loaded: Int, failed: Int) { tls.reloads }

    /// `urls` are complete (`https://collector:4318/v1/metrics`): which path a signal
    /// gets is decided where the configuration is resolved. The client runs on
    /// `eventLoopGroup` when one is given (it stays the caller's to shut down), else on
    /// one event loop thread of its own, released by `shutdown()`: one thread is plenty
    /// for one request at a time, and NIO's shared group would start one per core.
    /// Fails on a URL that is not `http://` or `https://` and on unreadable TLS files.
    public init(urls: [OTLPSignal: String], settings: TransportSettings, eventLoopGroup: (any EventLoopGroup)? = nil) throws {
        var targets: [OTLPSignal: Target] = [:]
        var overrides: [String: String] = [:]
        for (signal, url) in urls {
            let endpoint: HTTP2Endpoint
            do {
                endpoint = try HTTP2Endpoint(url: url)
            } catch {
                throw InvalidURL(signal: signal, url: url, reason: error.reason)
            }
            if endpoint.secure, let serverName = settings.tls.serverName, serverName != endpoint.host {
                // AsyncHTTPClient names the TLS peer after the URL's host: the URL carries
                // server_name and the connection goes to the endpoint's host instead.
                overrides[serverName] = endpoint.host
                let path = endpoint.pathPrefix.isEmpty ? "/" : endpoint.pathPrefix
                let named = HTTP2Endpoint(secure: true, host: serverName, port: endpoint.port)
                targets[signal] = Target(url: "https://\(named.authority)\(path)", host: endpoint.authority)
            } else {
                targets[signal] = Target(url: url, host: nil)
            }
        }
        let tls = try NIOSSLConfigurationSource(settings.tls, logger: Logger(label: "telegen.otlp.http"))
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = tls.current
        configuration.dnsOverride = overrides
        configuration.timeout = .init(connect: .init(settings.timeout), read: .init(settings.timeout))
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        configuration.httpVersion = .automatic
        self.targets = targets
        self.settings = settings
        self.tls = tls
        // Made last: nothing above may throw once a thread exists.
        let ownedGroup: MultiThreadedEventLoopGroup?
        let group: any EventLoopGroup
        if let eventLoopGroup {
            ownedGroup = nil
            group = eventLoopGroup
        } else {
            let own = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            ownedGroup = own
            group = own
        }
        client = HTTPClientOwner(HTTPClient(eventLoopGroup: group, configuration: configuration), ownedGroup: ownedGroup)
    }

    public func send(_ batch: ExportBatch) async -> ExportAttempt {
        guard let target = targets[batch.signal] else {
            return ExportAttempt(outcome: .permanent, status: "no_url", reason: "no OTLP/HTTP URL is configured for \(batch.signal)")
        }
        guard !client.isShutDown else {
            // The event loop may be gone with the client: nothing can be scheduled on it.
            return ExportAttempt(outcome: .retryable(delay: nil), status: "connection_error", reason: "the OTLP/HTTP transport is shut down")
        }
        var request = HTTPClientRequest(url: target.url)
        request.method = .POST
        request.tlsConfiguration = tls.current
        request.headers.add(name: "content-type", value: "application/x-protobuf")
        request.headers.add(name: "user-agent", value: settings.userAgent)
        if let host = target.host { request.headers.add(name: "host", value: host) }
        var body = batch.message
        if settings.compression == .gzip, let compressed = try? Gzip.compress(batch.message) {
            body = compressed
            request.headers.add(name: "content-encoding", value: "gzip")
        }
        for header in settings.headers where !Self.reservedHeaders.contains(header.name) && !header.name.hasPrefix(":") {
            request.headers.add(name: header.name, value: header.value)
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        // Not cancelled with the caller: the exporter's task is cancelled at shutdown, and
        // a request already on the wire is let finish within the timeout (as the gRPC
        // transport does) rather than cut off and counted as failed after the backend may
        // have accepted it. `shutdown()` still ends it at once.
        let owner = client
        let timeout = settings.timeout
        return await Task { await Self.execute(request, on: owner, timeout: timeout) }.value
    }

    private static func execute(_ request: HTTPClientRequest, on client: HTTPClientOwner, timeout: Duration) async -> ExportAttempt {
        do {
            let response = try await client.client.execute(request, timeout: .init(timeout))
            let status = Int(response.status.code)
            let limit = (200..<300).contains(status) ? maximumResponseBytes : maximumErrorBytes
            var received: [UInt8] = []
            for try await chunk in response.body {
                received.append(contentsOf: chunk.readableBytesView.prefix(limit - received.count))
                if received.count >= limit { break }
            }
            let answer = OTLPHTTPResponse(status: status, headers: response.headers.map { (name: $0.name.lowercased(), value: $0.value) },
                                          body: received)
            return answer.attempt(nowUnixSeconds: Int64(WallClock.nowUnixNano() / 1_000_000_000))
        } catch {
            return noResponse(error)
        }
    }

    public func shutdown() async {
        await client.shutdown()
    }

    /// Headers the transport sets itself, which configured headers cannot replace.
    static let reservedHeaders: Set<String> = ["content-type", "content-encoding", "content-length", "transfer-encoding",
                                               "connection", "host", "te", "upgrade"]

    /// A request that got no HTTP response: retryable, whatever went wrong on the way.
    static func noResponse(_ error: any Error) -> ExportAttempt {
        let timeouts: [HTTPClientError] = [.deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout, .tlsHandshakeTimeout]
        if let clientError = error as? HTTPClientError, timeouts.contains(clientError) {
            return ExportAttempt(outcome: .retryable(delay: nil), status: "timeout", reason: "\(error)")
        }
        if let channelError = error as? ChannelError, case .connectTimeout = channelError {
            return ExportAttempt(outcome: .retryable(delay: nil), status: "timeout", reason: "\(error)")
        }
        return ExportAttempt(outcome: .retryable(delay: nil), status: "connection_error", reason: "\(error)")
    }

    /// The TLS settings on NIOSSL. Files are read at start, so that an unreadable one
    /// stops the exporter from starting (as on gRPC) instead of failing every request,
    /// and again when they change (`NIOSSLConfigurationSource`).
    static func tlsConfiguration(_ tls: HTTP2Transport.TLSConfiguration) throws -> NIOSSL.TLSConfiguration {
        var configuration = NIOSSL.TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        func certificates(_ source: HTTP2Transport.TLSConfiguration.Source) throws -> [NIOSSLCertificate] {
            switch source {
            case .file(let path): try NIOSSLCertificate.fromPEMFile(path)
            case .data(let bytes): try NIOSSLCertificate.fromPEMBytes(bytes)
            }
        }
        if let authority = tls.certificateAuthority {
            configuration.trustRoots = .certificates(try certificates(authority))
        }
        if let certificate = tls.certificate {
            configuration.certificateChain = try certificates(certificate).map { .certificate($0) }
        }
        switch tls.privateKey {
        case .file(let path)?: configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: path, format: .pem))
        case .data(let bytes)?: configuration.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: bytes, format: .pem))
        case nil: break
        }
        if tls.insecureSkipVerify {
            configuration.certificateVerification = .none
        }
        return configuration
    }
}
