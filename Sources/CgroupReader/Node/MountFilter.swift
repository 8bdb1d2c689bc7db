/// node_exporter's default exclusions:
/// mount points `^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)`
/// and the pseudo filesystem types listed below. Written out by hand because they
/// run for every mount every cycle; a test checks them against the regexes.
enum MountFilter {
    static let excludedFSTypes: Set<String> = [
        "autofs", "binfmt_misc", "bpf", "cgroup", "cgroup2", "configfs", "debugfs", "devpts", "devtmpfs",
        "fusectl", "hugetlbfs", "iso9660", "mqueue", "nsfs", "overlay", "proc", "procfs", "pstore",
        "rpc_pipefs", "securityfs", "selinuxfs", "squashfs", "erofs", "sysfs", "tracefs",
    ]

    static func isExcluded(mountPoint: String, fsType: String) -> Bool {
        excludedFSTypes.contains(fsType) || isExcluded(mountPoint: mountPoint)
    }

    static func isExcluded(mountPoint: String) -> Bool {
        // Directories excluded with everything below them.
        for directory in ["/dev", "/proc", "/sys"] {
            if mountPoint == directory || mountPoint.hasPrefix(directory + "/") { return true }
        }
        // Directories whose contents are excluded, but not the directory itself.
        for parent in ["/run/credentials/", "/var/lib/docker/", "/var/lib/containers/storage/"] {
            if mountPoint.hasPrefix(parent) && mountPoint.utf8.count > parent.utf8.count { return true }
        }
        return false
    }
}
