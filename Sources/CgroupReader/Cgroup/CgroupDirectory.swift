#if canImport(Glibc)
import Glibc
#endif

/// One cgroup directory as a cycle reads it. A file held open since an earlier cycle
/// (`HeldCgroupFiles`) is read through its descriptor; any other is opened relative to
/// a lookup handle on the directory (`O_PATH`: one short path lookup instead of a walk
/// from `/` for every file), itself opened on first need. A cgroup whose files are all
/// held is read with one system call per file.
struct CgroupDirectory: ~Copyable {
    let path: String
    private let held: HeldCgroupFiles?
    private var entry: HeldCgroupFiles.Directory?
    private var handle: Int32 = -1

    /// Throws `KernelFileError.missing` when the directory does not exist (a cgroup
    /// removed) and none of its files is held; a held one tells on its next read.
    init(path: String, held: HeldCgroupFiles?) throws {
        self.path = path
        self.held = held
        entry = held?.directory(path)
        if entry == nil { handle = try Self.openHandle(path) }
    }

    deinit {
        if handle >= 0 { close(handle) }
    }

    /// Calls `body` with the contents of the file `name`, read into `reader`'s buffer.
    /// `hold`: keep the file open for the next cycle, if the reader's limit allows.
    mutating func withContents(
        of name: String,
        reader: inout KernelFileReader,
        records: KernelFileReader.Records,
        hold: Bool,
        _ body: (UnsafeBufferPointer<UInt8>) throws -> Void
    ) throws {
        let directoryPath = path
        if let descriptor = entry?.descriptor(of: name) {
            do {
                return try reader.withContents(ofOpen: descriptor, records: records,
                                               path: { directoryPath + "/" + name }, body)
            } catch let error as KernelFileError {
                // ENODEV: the cgroup was removed; its other held files go with it.
                if case .missing = error {
                    held?.release(path)
                    entry = nil
                }
                throw error
            }
        }
        if handle < 0 { handle = try Self.openHandle(path) }
        // withCString, not the implicit conversion: a file name is a small string, and
        // the implicit conversion copies a small string to the heap for every call.
        let descriptor = name.withCString { openat(handle, $0, O_RDONLY | O_CLOEXEC) }
        if descriptor < 0 { throw KernelFileError(openFailure: errno, path: directoryPath + "/" + name) }
        let kept = hold ? held?.hold(descriptor, name: name, in: path, entry: entry) : nil
        if let kept { entry = kept }
        defer { if kept == nil { close(descriptor) } }
        try reader.withContents(ofOpen: descriptor, records: records, path: { directoryPath + "/" + name }, body)
    }

    /// Whether the directory has a file `name` (a controller's file: is it enabled here?).
    mutating func contains(_ name: String) throws -> Bool {
        if entry?.descriptor(of: name) != nil { return true }
        if handle < 0 { handle = try Self.openHandle(path) }
        return name.withCString { faccessat(handle, $0, F_OK, 0) } == 0
    }

    private static func openHandle(_ path: String) throws -> Int32 {
        let descriptor = open(path, pathOnly | O_DIRECTORY | O_CLOEXEC)
        if descriptor < 0 { throw KernelFileError(openFailure: errno, path: path) }
        return descriptor
    }

    /// `O_PATH` (the same value on every Linux architecture Swift runs on); Glibc's
    /// module leaves it out because it is a GNU extension.
    private static let pathOnly: Int32 = 0o10_000_000
}
