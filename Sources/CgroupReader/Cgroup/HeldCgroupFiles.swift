#if canImport(Glibc)
import Glibc
#endif

/// The cgroup files a reader keeps open from one cycle to the next, so that a cycle
/// reads each with one `pread` instead of `openat`, `read` and `close`.
///
/// What holding costs: every open kernfs file pins its `struct file`, its kernfs and
/// seq_file state and, from its first read, a seq_file buffer of at least a page, all
/// charged to Telegen's cgroup as kernel memory (measured in docs/benchmarks.md).
/// `limit` bounds how many are held; a file past it is opened and closed every cycle.
///
/// A held file of a removed cgroup fails its next read with ENODEV: the reader then
/// releases the cgroup's files in every hierarchy. A cgroup a cycle did not visit (gone
/// before the listing) is released at the cycle's end. Either way nothing of a removed
/// cgroup outlives the cycle that finds it gone.
///
/// Not `Sendable`: one belongs to one `CgroupStatsReader`, which its collector uses
/// under a lock.
final class HeldCgroupFiles {
    /// The held files of one cgroup directory.
    final class Directory {
        fileprivate var files: [(name: String, descriptor: Int32)] = []
        fileprivate var cycle: Int

        fileprivate init(cycle: Int) {
            self.cycle = cycle
        }

        /// A cgroup holds a dozen files at most: a linear search beats hashing the name.
        func descriptor(of name: String) -> Int32? {
            for file in files where file.name == name { return file.descriptor }
            return nil
        }
    }

    /// Files held at most.
    let limit: Int
    /// Files held now.
    private(set) var count = 0
    private var directories: [String: Directory] = [:]
    private var cycle = 0

    /// The limit is also held to half the process' open-file limit (`RLIMIT_NOFILE`),
    /// so that holding never starves the agent's sockets and other reads of descriptors.
    init(limit: Int) {
        var descriptors = rlimit()
        let allowed = getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &descriptors) == 0 && descriptors.rlim_cur != rlim_t.max
            ? Int(clamping: descriptors.rlim_cur / 2) : Int.max
        self.limit = min(max(0, limit), allowed)
    }

    deinit {
        for directory in directories.values {
            for file in directory.files { close(file.descriptor) }
        }
    }

    /// The held files of the directory at `path`, now marked as visited in this cycle;
    /// nil when none are held.
    func directory(_ path: String) -> Directory? {
        guard let directory = directories[path] else { return nil }
        directory.cycle = cycle
        return directory
    }

    /// Holds `descriptor`, the open file `name` of the directory at `path`. Returns the
    /// directory's entry, or nil at the limit: the caller then closes the file itself.
    func hold(_ descriptor: Int32, name: String, in path: String, entry: Directory?) -> Directory? {
        guard count < limit else { return nil }
        let directory: Directory
        if let entry {
            directory = entry
        } else {
            directory = Directory(cycle: cycle)
            directories[path] = directory
        }
        directory.files.append((name, descriptor))
        count += 1
        return directory
    }

    /// Closes every held file of the directory at `path`: its cgroup is gone.
    func release(_ path: String) {
        guard let directory = directories.removeValue(forKey: path) else { return }
        for file in directory.files { close(file.descriptor) }
        count -= directory.files.count
    }

    /// Ends a cycle: releases every directory the cycle did not visit (removed cgroups).
    func endCycle() {
        let stale = directories.filter { $0.value.cycle != cycle }.keys
        for path in stale { release(path) }
        cycle &+= 1
    }
}
