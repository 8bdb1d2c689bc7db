import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The TLS context for the next connection, rebuilt when a CA, certificate or key file
/// it was made from changes (cert-manager, kubelet and Secret volumes rotate them in
/// place), as `BearerToken` re-reads a token file. A file that no longer loads (half
/// written, wrong key) keeps the last good context: logged and counted once per
/// change, tried again when the file changes again. Connections already open keep the
/// context they were made with. Used only on the client's I/O thread.
final class TLSContextSource {
    private let configuration: TLSConfiguration
    private var context: TLSContext
    private var loaded: [FileVersion?]
    private var failed: [FileVersion?]?

    /// Fails when the files do not load now: a client never starts without TLS material.
    init(_ configuration: TLSConfiguration) throws(TLSContext.Failure) {
        self.configuration = configuration
        let versions = FileVersion.of(configuration.files)
        context = try TLSContext(configuration)
        loaded = versions
    }

    func current(counters: HTTP2Client.Counters, logger: Logger) -> TLSContext {
        let files = configuration.files
        guard !files.isEmpty else { return context }
        let versions = FileVersion.of(files)  // before reading, so a change during the read is seen next time
        guard versions != loaded, versions != failed else { return context }
        do {
            context = try TLSContext(configuration)
            loaded = versions
            failed = nil
            counters.update { $0.tlsReloads += 1 }
            logger.info("TLS files changed; new connections use them", metadata: ["files": "\(files.joined(separator: ","))"])
        } catch {
            failed = versions
            counters.update { $0.tlsReloadFailures += 1 }
            logger.warning("TLS files changed but do not load; keeping the previous ones",
                           metadata: ["files": "\(files.joined(separator: ","))", "error": "\(error)"])
        }
        return context
    }
}

/// What tells a replaced file from the one read before: device, inode (a rename or a
/// Secret volume's symlink swap gives a new one), modification time and size.
public struct FileVersion: Sendable, Equatable {
    var device: UInt64
    var inode: UInt64
    var seconds: Int
    var nanoseconds: Int
    var size: Int64

    /// Each path's version; nil for a file that cannot be stat'ed.
    public static func of(_ paths: [String]) -> [FileVersion?] {
        paths.map { path in
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            return FileVersion(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), seconds: info.st_mtim.tv_sec,
                               nanoseconds: info.st_mtim.tv_nsec, size: Int64(info.st_size))
        }
    }
}

extension TLSConfiguration {
    /// The files the TLS material is read from (inline data never changes).
    public var files: [String] {
        [certificateAuthority, certificate, privateKey].compactMap { source in
            if case .file(let path)? = source { return path }
            return nil
        }
    }
}
