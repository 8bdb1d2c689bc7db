#if canImport(Glibc)
import Glibc
#endif

/// Export batches kept as files in `queue.directory` until the backend accepted them,
/// so that a restart loses nothing: each batch is written (and synced) before it is
/// queued, removed after it is delivered or given up, and replayed on start. The
/// directory is synced after each rename and unlink, so that neither a queued batch
/// disappears nor a delivered one comes back after a crash.
///
/// A file is named `<sequence>.<signal>.<items>.otlp` and holds the request bytes; it is
/// written as `.<name>.tmp` first, which a crash can leave behind.
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
        syncDirectory()
        return path
    }

    func remove(_ path: String) {
        if unlink(path) == 0 { syncDirectory() }
    }

    /// Makes the directory's entries durable: a rename or unlink is in the file system's
    /// journal only once its directory is synced.
    private func syncDirectory() {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        while fsync(fd) != 0 && errno == EINTR {}
        close(fd)
    }

    /// What a start finds in the directory.
    struct Loaded {
        /// The newest batches that fit in the queue, oldest first.
        var entries: [Entry] = []
        /// Older batches, or batches larger than the whole queue: removed, not read.
        var dropped: [(signal: OTLPSignal, items: Int)] = []
        /// Files that are not batches (or cannot be read): reported, left alone.
        var unreadable: [String] = []
        /// The highest sequence number found, so new batches are numbered after it.
        var lastSequence: UInt64 = 0
    }

    /// The stored batches in the order they were queued, as many of the newest as fit in
    /// `maximumBytes` (as a full queue keeps the newest when it runs); what does not fit
    /// is removed without being read, so a directory filled under a larger `max_bytes`
    /// cannot take more memory than the queue may. Temporary files of writes a crash
    /// interrupted are removed.
    func load(maximumBytes: Int) -> Loaded {
        var loaded = Loaded()
        var found: [(sequence: UInt64, signal: OTLPSignal, items: Int, path: String, size: Int)] = []
        var removed = false
        for name in names() {
            let path = directory + "/" + name
            if name.hasPrefix("."), name.hasSuffix(".otlp.tmp") {
                removed = unlink(path) == 0 || removed
                continue
            }
            guard !name.hasPrefix("."), name.hasSuffix(".otlp") else { continue }
            let parts = name.split(separator: ".")
            var info = stat()
            guard parts.count == 4, let sequence = UInt64(parts[0]), let signal = OTLPSignal(rawValue: String(parts[1])),
                  let items = Int(parts[2]), stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
                loaded.unreadable.append(path)
                continue
            }
            found.append((sequence, signal, items, path, Int(info.st_size)))
            loaded.lastSequence = max(loaded.lastSequence, sequence)
        }
        var bytes = 0
        var full = false
        var kept: [Entry] = []
        for file in found.sorted(by: { $0.sequence > $1.sequence }) {
            // Newest first: once one no longer fits, every older one is dropped too, so
            // the queue keeps its order; one larger than the whole queue is dropped on its
            // own, as `enqueue` drops it.
            let oversized = file.size > maximumBytes
            full = full || (!oversized && bytes + file.size > maximumBytes)
            guard !full, !oversized, let message = Self.contents(of: file.path, size: file.size) else {
                if full || oversized {
                    removed = unlink(file.path) == 0 || removed
                    loaded.dropped.append((file.signal, file.items))
                } else {
                    loaded.unreadable.append(file.path)
                }
                continue
            }
            bytes += message.count
            kept.append(Entry(sequence: file.sequence, batch: ExportBatch(signal: file.signal, message: message, items: file.items), path: file.path))
        }
        if removed { syncDirectory() }
        loaded.entries = kept.reversed()
        return loaded
    }

    /// The names in the directory.
    private func names() -> [String] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            names.append(withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            })
        }
        return names
    }

    /// The file's bytes, read up to the `size` it had when listed: nil if it changed.
    private static func contents(of path: String, size: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var result = [UInt8](repeating: 0, count: size)
        var filled = 0
        while filled < size {
            let count = result.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, size - filled) }
            if count < 0 { if errno == EINTR { continue } else { return nil } }
            if count == 0 { return nil }
            filled += count
        }
        return result
    }
}
