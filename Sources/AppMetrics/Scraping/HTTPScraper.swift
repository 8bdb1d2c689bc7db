import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import TelemetryModel

/// Fetches and parses one target's exposition over HTTP(S), with Prometheus'
/// request (`ScrapeRequest`) and limits: the whole scrape within `timeout`, at most
/// `bodySizeLimit` bytes of (inflated) body, at most `sampleLimit` samples. Every way
/// it can fail is a `ScrapeFailure` with a short reason (docs/apps.md, "Failure
/// reasons"), never a crash.
public final class HTTPScraper: Sendable {
    public let settings: ScrapeSettings
    private let client: HTTPClient

    /// Fails when the CA file cannot be read.
    public init(settings: ScrapeSettings) throws {
        self.settings = settings
        var tls = TLSConfiguration.makeClientConfiguration()
        switch settings.tls {
        case .verify(let caFile?):
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
        case .verify(nil):
            break
        case .insecureSkipVerify:
            tls.certificateVerification = .none
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls, redirectConfiguration: .follow(max: 10, allowCycles: false),
                                                     timeout: .init(connect: .nanoseconds(settings.timeout.nanoseconds)),
                                                     decompression: .disabled)
        // A refused connection fails the scrape at once (as Prometheus' does), rather
        // than being retried until the timeout while it holds a scrape slot.
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }

    /// Closes the connections; call once, when no scrape is running.
    public func shutdown() async {
        try? await client.shutdown()
    }

    /// Scrapes `target` once.
    public func scrape(_ target: ScrapeTarget) async -> ScrapeOutcome {
        let startUnixNano = WallClock.nowUnixNano()
        let clock = ContinuousClock()
        let started = clock.now
        let result: Result<ScrapedExposition, ScrapeFailure>
        var format = ScrapeFormat.prometheusText
        do {
            let (body, contentType) = try await fetchWithinTimeout(target)
            format = contentType.flatMap(ScrapeFormat.init(contentType:)) ?? .prometheusText
            do throws(ScrapeParseError) {
                result = .success(try ExpositionParser(format: format, sampleLimit: settings.sampleLimit).parse(body))
            } catch {
                let reason = error.reason == "sample_limit" ? "sample_limit" : "parse:\(error.reason)"
                result = .failure(ScrapeFailure(reason: reason, message: error.description))
            }
        } catch let failure as ScrapeFailure {
            result = .failure(failure)
        } catch {
            result = .failure(Self.classify(error))
        }
        return ScrapeOutcome(target: target, startUnixNano: startUnixNano, duration: clock.now - started, result: result, format: format)
    }

    /// The body and its Content-Type, or a `ScrapeFailure` (also `timeout` when the
    /// whole exchange, body included, takes longer than `settings.timeout`).
    private func fetchWithinTimeout(_ target: ScrapeTarget) async throws -> ([UInt8], String?) {
        let timeout = settings.timeout
        return try await withThrowingTaskGroup(of: ([UInt8], String?)?.self) { group in
            group.addTask { try await self.fetch(target) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let fetched = first else {
                throw ScrapeFailure(reason: "timeout", message: "no complete response within \(timeout)")
            }
            return fetched
        }
    }

    private func fetch(_ target: ScrapeTarget) async throws -> ([UInt8], String?) {
        var request = HTTPClientRequest(url: ScrapeRequest.url(for: target))
        request.headers.add(name: "Accept", value: ScrapeRequest.accept)
        request.headers.add(name: "Accept-Encoding", value: ScrapeRequest.acceptEncoding)
        request.headers.add(name: "User-Agent", value: settings.userAgent)
        request.headers.add(name: "X-Prometheus-Scrape-Timeout-Seconds", value: ScrapeRequest.timeoutHeader(settings.timeout))
        let response = try await client.execute(request, deadline: .now() + .nanoseconds(settings.timeout.nanoseconds))
        guard response.status == .ok else {
            throw ScrapeFailure(reason: "http_status", message: "server returned HTTP status \(response.status.code) \(response.status.reasonPhrase)")
        }
        let limit = settings.bodySizeLimit
        let encoding = response.headers.first(name: "Content-Encoding")?.lowercased() ?? ""
        var body: [UInt8] = []
        if let declared = response.headers.first(name: "Content-Length").flatMap(Int.init), encoding.isEmpty || encoding == "identity" {
            guard declared <= limit else { throw Self.tooLarge(limit) }
            body.reserveCapacity(declared)
        }
        switch encoding {
        case "gzip":
            let inflater: GzipInflater
            do { inflater = try GzipInflater() } catch { throw ScrapeFailure(reason: "gzip", message: "\(error)") }
            for try await buffer in response.body {
                do {
                    try buffer.withUnsafeReadableBytes { try inflater.inflate($0, into: &body, limit: limit) }
                } catch GzipInflater.Failure.tooLarge {
                    throw Self.tooLarge(limit)
                } catch {
                    throw ScrapeFailure(reason: "gzip", message: "corrupt gzip body: \(error)")
                }
            }
            guard inflater.finished else { throw ScrapeFailure(reason: "gzip", message: "truncated gzip body") }
        case "", "identity":
            for try await buffer in response.body {
                // Reading stops here: the rest of the body is never taken in.
                guard buffer.readableBytes <= limit - body.count else { throw Self.tooLarge(limit) }
                body.append(contentsOf: buffer.readableBytesView)
            }
        default:
            throw ScrapeFailure(reason: "content_encoding", message: "unsupported Content-Encoding \"\(encoding)\"")
        }
        return (body, response.headers.first(name: "Content-Type"))
    }

    private static func tooLarge(_ limit: Int) -> ScrapeFailure {
        ScrapeFailure(reason: "body_too_large", message: "body larger than body_size_limit (\(limit) bytes)")
    }

    /// A transport error as a short reason: `refused`, `timeout`, `tls`, `connection`.
    static func classify(_ error: any Error) -> ScrapeFailure {
        let text = String(describing: error)
        if let client = error as? HTTPClientError {
            switch client {
            case .connectTimeout, .deadlineExceeded, .readTimeout, .writeTimeout, .cancelled:
                return ScrapeFailure(reason: "timeout", message: text)
            case .remoteConnectionClosed:
                return ScrapeFailure(reason: "connection_closed", message: text)
            default:
                break
            }
        }
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            return ScrapeFailure(reason: "tls", message: text)
        }
        if Self.isRefused(error) { return ScrapeFailure(reason: "refused", message: text) }
        if error is CancellationError { return ScrapeFailure(reason: "timeout", message: text) }
        return ScrapeFailure(reason: "connection", message: text)
    }

    private static func isRefused(_ error: any Error) -> Bool {
        if let io = error as? IOError { return io.errnoCode == ECONNREFUSED }
        if let connection = error as? NIOConnectionError {
            return connection.connectionErrors.contains { ($0.error as? IOError)?.errnoCode == ECONNREFUSED }
        }
        return false
    }
}
