#if canImport(Glibc)
import Glibc
#endif

/// Export batches kept as files in `queue.directory` until the backend accepted them,
/// so that a restart loses nothing: each batch is written (and synced) before it is
/// queued, removed after it is delivered or given up, and replayed on start.
///
/// A file is named `<sequence>.<signal>.<items>.otlp` and holds the request bytes.
struct BatchSpool: Sendable {
    let directory: String

    struct Entry: Sendable {
        var sequence: UInt64
        var batch: ExportBatch
        var path: String
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    init(directory: String) throws(Failure) {
        self.directory = directory
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw Failure(description: "cannot create queue directory \(directory): \(String(cString: strerror(errno)))")
        }
    }

    func store(_ batch: ExportBatch, sequence: UInt64) throws(Failure) -> String {
        let name = "\(String(repeating: "0", count: max(0, 20 - String(sequence).count)))\(sequence).\(batch.signal.rawValue).\(batch.items).otlp"
        let path = directory + "/" + name
        let temporary = directory + "/." + name + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(description: "\(temporary): \(String(cString: strerror(errno)))") }
        var written = 0
        let ok = batch.message.withUnsafeBytes { raw -> Bool in
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
            throw Failure(description: "\(path): \(reason)")
        }
        return path
    }

    func remove(_ path: String) {
        unlink(path)
    }

    /// The stored batches in the order they were queued; files that are not batches
    /// (or cannot be read) are reported, not loaded.
    func load() -> (entries: [Entry], unreadable: [String]) {
        guard let handle = opendir(directory) else { return ([], []) }
        defer { closedir(handle) }
        var entries: [Entry] = []
        var unreadable: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard !name.hasPrefix("."), name.hasSuffix(".otlp") else { continue }
            let parts = name.split(separator: ".")
            let path = directory + "/" + name
            guard parts.count == 4, let sequence = UInt64(parts[0]), let signal = OTLPSignal(rawValue: String(parts[1])),
                  let items = Int(parts[2]), let message = Self.contents(of: path) else {
                unreadable.append(path)
                continue
            }
            entries.append(Entry(sequence: sequence, batch: ExportBatch(signal: signal, message: message, items: items), path: path))
        }
        return (entries.sorted { $0.sequence < $1.sequence }, unreadable)
    }

    private static func contents(of path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 { if errno == EINTR { continue } else { return nil } }
            if count == 0 { return result }
            result.append(contentsOf: chunk[0..<count])
        }
    }
}
