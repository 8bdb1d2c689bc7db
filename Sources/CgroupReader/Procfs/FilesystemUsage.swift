#if canImport(Glibc)
import Glibc
#endif

/// Space and inode counts of a mounted filesystem. glibc's statvfs(3) is a thin
/// layer over statfs(2) that copies f_bsize and the counts unchanged, so these are
/// the numbers node_exporter reads with statfs.
public struct FilesystemUsage: Sendable, Equatable {
    /// f_bsize: node_exporter multiplies block counts by it (not f_frsize).
    public var blockSize: UInt64
    public var blocks: UInt64
    public var blocksFree: UInt64
    public var blocksAvailable: UInt64
    public var files: UInt64
    public var filesFree: UInt64

    public init(blockSize: UInt64, blocks: UInt64, blocksFree: UInt64, blocksAvailable: UInt64, files: UInt64, filesFree: UInt64) {
        self.blockSize = blockSize
        self.blocks = blocks
        self.blocksFree = blocksFree
        self.blocksAvailable = blocksAvailable
        self.files = files
        self.filesFree = filesFree
    }

    /// Calls statfs on `path`. This can block for a long time on a dead network
    /// filesystem; callers that must not hang run it with a timeout.
    public static func read(path: String) throws -> FilesystemUsage {
        var buffer = statvfs()
        while statvfs(path, &buffer) != 0 {
            let code = errno
            if code == EINTR { continue }
            throw FilesystemUsageError(path: path, errno: code)
        }
        return FilesystemUsage(
            blockSize: UInt64(buffer.f_bsize),
            blocks: UInt64(buffer.f_blocks),
            blocksFree: UInt64(buffer.f_bfree),
            blocksAvailable: UInt64(buffer.f_bavail),
            files: UInt64(buffer.f_files),
            filesFree: UInt64(buffer.f_ffree))
    }
}

/// statfs failed; `message` is the lowercase errno text node_exporter puts in its
/// `device_error` label (Go spells errno strings in lowercase).
public struct FilesystemUsageError: Error, Equatable, CustomStringConvertible {
    public var path: String
    public var errno: Int32

    public var message: String {
        let text = String(cString: strerror(errno))
        guard let first = text.first else { return text }
        return first.lowercased() + text.dropFirst()
    }

    public var description: String { "statfs \(path): \(message)" }
}
