#if canImport(Glibc)
import Glibc
#endif

/// How the host mounts cgroups under `cgroup_root`: the unified v2 hierarchy, or
/// one v1 hierarchy per controller (hybrid hosts count as v1: systemd's unified
/// mount there carries no resource controllers).
public enum CgroupLayout: Sendable, Equatable {
    case v2(root: String)
    case v1(Controllers)

    /// Directories of the v1 hierarchies Telegen reads (`cpu` and `cpuacct` are often
    /// one `cpu,cpuacct` mount with symlinks; either works).
    public struct Controllers: Sendable, Equatable {
        public var cpu: String
        public var cpuacct: String
        public var memory: String
        public var blkio: String
        public var pids: String
    }

    /// Nil when `root` holds no cgroup hierarchy Telegen understands.
    public static func detect(root: String) -> CgroupLayout? {
        if access(root + "/cgroup.controllers", F_OK) == 0 { return .v2(root: root) }
        let controllers = Controllers(cpu: root + "/cpu", cpuacct: root + "/cpuacct", memory: root + "/memory",
                                      blkio: root + "/blkio", pids: root + "/pids")
        guard access(controllers.memory, F_OK) == 0 || access(controllers.cpuacct, F_OK) == 0 else { return nil }
        return .v1(controllers)
    }

    /// The hierarchy whose directory tree discovery walks.
    var discoveryRoot: String {
        switch self {
        case .v2(let root): root
        case .v1(let controllers): access(controllers.memory, F_OK) == 0 ? controllers.memory : controllers.cpuacct
        }
    }
}
