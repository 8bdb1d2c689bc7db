#if canImport(Glibc)
import Glibc
#endif

/// Why a kernel file could not be read.
public enum KernelFileError: Error, Equatable, CustomStringConvertible {
    /// The file does not exist: a feature the kernel lacks, or an object (cgroup,
    /// process) that went away between listing and reading. Often not an error.
    case missing(path: String)
    case unreadable(path: String, errno: Int32)

    public var description: String {
        switch self {
        case .missing(let path): "\(path): no such file"
        case .unreadable(let path, let code): "\(path): \(String(cString: strerror(code)))"
        }
    }
}

/// Reads whole kernel files (procfs, sysfs, cgroupfs) into one buffer that is reused
/// from read to read, so a collection cycle allocates nothing for file contents.
///
/// procfs reports a size of 0 for its files, so the buffer grows until a read
/// returns end-of-file rather than trusting `stat`.
public struct KernelFileReader: Sendable {
    private var buffer: [UInt8]

    public init(initialCapacity: Int = 4096) {
        buffer = [UInt8](repeating: 0, count: max(initialCapacity, 64))
    }

    /// Calls `body` with the complete contents of the file at `path`.
    public mutating func withContents<Result>(
        of path: String,
        _ body: (UnsafeBufferPointer<UInt8>) throws -> Result
    ) throws -> Result {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            if code == ENOENT || code == ENOTDIR || code == ENODEV { throw KernelFileError.missing(path: path) }
            throw KernelFileError.unreadable(path: path, errno: code)
        }
        defer { close(fd) }
        var length = 0
        while true {
            if length == buffer.count {
                buffer.append(contentsOf: repeatElement(0, count: buffer.count))
            }
            let count = buffer.withUnsafeMutableBytes { raw in
                read(fd, raw.baseAddress! + length, raw.count - length)
            }
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                // A cgroup or process removed while we read it reports ENODEV/ESRCH.
                if code == ENODEV || code == ESRCH { throw KernelFileError.missing(path: path) }
                throw KernelFileError.unreadable(path: path, errno: code)
            }
            if count == 0 { break }
            length += count
        }
        return try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[0..<length])) }
    }
}
