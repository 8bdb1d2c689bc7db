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
    /// What a file's reads say about where it ends. A kernel file (seq_file) read
    /// into a buffer of ample room stops short of it in two cases only: at its end, or
    /// when the next record would overflow the kernel's own buffer (a page at least,
    /// 4 KiB). So a read that comes back short ends the file when the next record could
    /// not have overflowed: always for a single record, and for records of bounded
    /// length when the read left room for one more within a page. Otherwise only a
    /// read returning nothing ends it, one more system call per file.
    public enum Records: Sendable {
        /// One record (a cgroup file printed by one `seq_show`, `/proc/meminfo`).
        case single
        /// Records of at most this many bytes (a PID per line in `cgroup.procs`, an
        /// interface per line in `net/dev`).
        case atMost(bytes: Int)
        /// Anything else: read until a read returns nothing.
        case unbounded

        /// `cgroup.procs`: a PID and a newline (PIDs stop below 2^22, seven digits).
        public static let pids = Records.atMost(bytes: 16)
        /// `net/dev`: an interface name of at most 15 bytes, a colon, sixteen counters
        /// of at most 20 digits each with their spaces (and the header lines, shorter).
        public static let interfaces = Records.atMost(bytes: 512)

        /// Whether a read that returned `count` bytes, fewer than the `space` offered,
        /// was the last.
        @inline(__always)
        func endsAfter(shortRead count: Int) -> Bool {
            switch self {
            case .single: true
            case .atMost(let bytes): count + bytes <= 4096
            case .unbounded: false
            }
        }
    }

    private var buffer: [UInt8]

    public init(initialCapacity: Int = 4096) {
        buffer = [UInt8](repeating: 0, count: max(initialCapacity, 64))
    }

    /// Calls `body` with the complete contents of the file at `path`.
    public mutating func withContents<Result>(
        of path: String,
        records: Records = .unbounded,
        _ body: (UnsafeBufferPointer<UInt8>) throws -> Result
    ) throws -> Result {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw KernelFileError(openFailure: errno, path: path) }
        defer { close(fd) }
        let length = try readAll(fd, records: records, path: { path })
        return try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[0..<length])) }
    }

    /// Calls `body` with the contents of an open file, read from its start with `pread`.
    /// A kernel file (seq_file) rebuilds its text when read at offset 0, so a file held
    /// open from an earlier cycle reads anew with this one call.
    ///
    /// `records` says when a short read is the end (`Records`), which saves the read
    /// that would only confirm it.
    mutating func withContents<Result>(
        ofOpen descriptor: Int32,
        records: Records,
        path: () -> String,
        _ body: (UnsafeBufferPointer<UInt8>) throws -> Result
    ) throws -> Result {
        let length = try readAll(descriptor, records: records, fromStart: true, path: path)
        return try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[0..<length])) }
    }

    private mutating func readAll(_ fd: Int32, records: Records, fromStart: Bool = false, path: () -> String) throws -> Int {
        var length = 0
        while true {
            if length == buffer.count {
                buffer.append(contentsOf: repeatElement(0, count: buffer.count))
            }
            let space = buffer.count - length
            let count = buffer.withUnsafeMutableBytes { raw in
                fromStart ? pread(fd, raw.baseAddress! + length, space, off_t(length)) : read(fd, raw.baseAddress! + length, space)
            }
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                // A cgroup or process removed while we read it reports ENODEV/ESRCH.
                if code == ENODEV || code == ESRCH { throw KernelFileError.missing(path: path()) }
                throw KernelFileError.unreadable(path: path(), errno: code)
            }
            length += count
            if count == 0 || (count < space && records.endsAfter(shortRead: count)) { return length }
        }
    }
}

extension KernelFileError {
    /// `open` failing with ENOENT, ENOTDIR or ENODEV means the file or its owner is
    /// gone; anything else is a real failure.
    init(openFailure code: Int32, path: String) {
        self = code == ENOENT || code == ENOTDIR || code == ENODEV ? .missing(path: path) : .unreadable(path: path, errno: code)
    }
}
