#if canImport(Glibc)
import Glibc
#endif

/// The checkpoint on disk (`logs_streaming.checkpoint_file`), replaced atomically: the
/// new content goes to `<file>.tmp`, is synced, renamed over the file, and the
/// directory is synced, so that a crash leaves the old checkpoint or the new one, never
/// a torn or lost file.
public struct CheckpointFile: Sendable {
    public let path: String

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public init(path: String) {
        self.path = path
    }

    /// The stored checkpoint; nil when there is none or it is not one (a warning for
    /// the caller to log, not an error: the streams then start from now).
    public func load() -> EventCheckpoint? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while bytes.count < 1 << 20 {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 { if errno == EINTR { continue } else { return nil } }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return EventCheckpoint(json: bytes)
    }

    public func store(_ checkpoint: EventCheckpoint) throws(Failure) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(description: "\(temporary): \(String(cString: strerror(errno)))") }
        let bytes = Array(checkpoint.json.utf8)
        var written = 0
        let ok = bytes.withUnsafeBytes { raw -> Bool in
            while written < raw.count {
                let count = write(fd, raw.baseAddress! + written, raw.count - written)
                if count < 0 { if errno == EINTR { continue } else { return false } }
                written += count
            }
            return fsync(fd) == 0
        }
        let reason = String(cString: strerror(errno))
        close(fd)
        guard ok, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw Failure(description: "\(path): \(ok ? String(cString: strerror(errno)) : reason)")
        }
        // The rename is durable only once the directory entry is.
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) }.map { $0.isEmpty ? "/" : $0 } ?? "."
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            close(directoryFD)
        }
    }
}
