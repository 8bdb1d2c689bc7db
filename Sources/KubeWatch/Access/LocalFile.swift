#if canImport(Glibc)
import Glibc
#endif

/// Small files the API access needs (kubeconfig, token, CA bundle), read whole.
enum LocalFile {
    public struct ReadError: Error, Equatable, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// Refuses anything above `limit` bytes: these files are small, and a huge one is a mistake.
    static func read(_ path: String, limit: Int = 4 << 20) throws(ReadError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ReadError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ReadError(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
            guard bytes.count <= limit else { throw ReadError(path: path, reason: "larger than \(limit) bytes") }
        }
    }

    static func text(_ path: String) throws(ReadError) -> String {
        String(decoding: try read(path), as: UTF8.self)
    }

    /// Modification time and size: what tells a rotated token file from the last one read.
    static func version(_ path: String) -> (seconds: Int, nanoseconds: Int, size: Int)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (info.st_mtim.tv_sec, info.st_mtim.tv_nsec, Int(info.st_size))
    }
}
