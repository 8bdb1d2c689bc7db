#if canImport(Glibc)
import Glibc
#endif

/// A pod's network counters, read from `/proc/<pid>/net/dev` of a process in the
/// pod's sandbox (every container of the pod shares its network namespace), as
/// cAdvisor does for the sandbox container and for the root cgroup (PID 1).
///
/// Like cAdvisor, a pod on the host network reports the host's interfaces.
struct PodNetwork {
    let procRoot: String
    private var reader = KernelFileReader(initialCapacity: 4096)
    private(set) var filesRead = 0

    init(procRoot: String) {
        self.procRoot = procRoot
    }

    /// Interfaces cAdvisor leaves out (case-insensitive prefixes).
    static func isIgnored(_ interface: String) -> Bool {
        hasPrefix(interface, "lo") || hasPrefix(interface, "veth") || hasPrefix(interface, "docker") || hasPrefix(interface, "nerdctl")
    }

    /// ASCII case-insensitive, on the bytes (asked for every interface of every pod in
    /// every cycle; `lowercased()` and `hasPrefix` on Strings go through Unicode):
    /// `byte | 0x20` equals a lowercase letter exactly for that letter and its capital.
    private static func hasPrefix(_ name: String, _ lowercasePrefix: StaticString) -> Bool {
        let prefix = UnsafeBufferPointer(start: lowercasePrefix.utf8Start, count: lowercasePrefix.utf8CodeUnitCount)
        var bytes = name.utf8.makeIterator()
        for expected in prefix {
            guard let byte = bytes.next(), byte | 0x20 == expected else { return false }
        }
        return true
    }

    mutating func devices(pid: Int32) throws -> [NetDev.Device] {
        let path = "\(procRoot)/\(pid)/net/dev"
        filesRead += 1
        return try reader.withContents(of: path, records: .interfaces) { try NetDev.parse($0, file: path) }.devices
            .filter { !Self.isIgnored($0.name) }
    }

    /// Whether `pid` is running although `procRoot` has no entry for it: a /proc mounted
    /// with `hidepid=invisible` hides other users' processes from an agent without
    /// CAP_SYS_PTRACE. False when the process is gone (it exited after `cgroup.procs`
    /// was read), which is normal.
    func isHidden(pid: Int32) -> Bool {
        guard access("\(procRoot)/\(pid)", F_OK) != 0 else { return false }
        // Signal 0 only checks: EPERM means it exists but is another user's.
        return kill(pid, 0) == 0 || errno == EPERM
    }

    /// Whether `pid` runs the pause binary: the process that holds a pod's namespaces,
    /// which marks its container as the sandbox. Nil when the process is gone.
    mutating func isPause(pid: Int32) -> Bool? {
        let path = "\(procRoot)/\(pid)/comm"
        filesRead += 1
        return try? reader.withContents(of: path, records: .single) { $0[...].trimmingTrailing(0x0A).equals("pause") }
    }
}
