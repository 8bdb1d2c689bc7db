import HTTP2Transport
import Logging
import NIOSSL
import Synchronization

/// OTLP/HTTP's TLS configuration for the next connection, re-read when a CA,
/// certificate or key file changes (as the gRPC transport's `HTTP2Client` does): each
/// request carries the current configuration, and AsyncHTTPClient keeps connections
/// per configuration, so a changed one gets a new connection. A changed file that does
/// not load keeps the last good configuration, logged and counted once per change.
final class NIOSSLConfigurationSource: Sendable {
    struct State {
        var configuration: NIOSSL.TLSConfiguration
        var loaded: [FileVersion?]
        var failed: [FileVersion?]?
        var reloads = 0
        var failures = 0
    }

    private let settings: HTTP2Transport.TLSConfiguration
    private let logger: Logger
    private let state: Mutex<State>

    /// Fails when the files do not load now.
    init(_ settings: HTTP2Transport.TLSConfiguration, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        let versions = FileVersion.of(settings.files)
        state = Mutex(State(configuration: try OTLPHTTPTransport.tlsConfiguration(settings), loaded: versions))
    }

    /// Reloads counted so far: (loaded, failed to load).
    var reloads: (loaded: Int, failed: Int) { state.withLock { ($0.reloads, $0.failures) } }

    var current: NIOSSL.TLSConfiguration {
        let files = settings.files
        let versions = FileVersion.of(files)  // before reading, so a change during the read is seen next time
        return state.withLock { state in
            guard !files.isEmpty, versions != state.loaded, versions != state.failed else { return state.configuration }
            do {
                state.configuration = try OTLPHTTPTransport.tlsConfiguration(settings)
                state.loaded = versions
                state.failed = nil
                state.reloads += 1
                logger.info("TLS files changed; new OTLP/HTTP connections use them", metadata: ["files": "\(files.joined(separator: ","))"])
            } catch {
                state.failed = versions
                state.failures += 1
                logger.warning("TLS files changed but do not load; keeping the previous ones",
                               metadata: ["files": "\(files.joined(separator: ","))", "error": "\(error)"])
            }
            return state.configuration
        }
    }
}
