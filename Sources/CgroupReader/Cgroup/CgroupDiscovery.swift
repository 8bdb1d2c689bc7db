#if canImport(Glibc)
import Glibc
#endif

/// One cgroup of the kubelet's tree, found on disk.
public struct DiscoveredCgroup: Sendable, Equatable {
    /// The path relative to the hierarchy root, as cAdvisor's `id` label shows it.
    public var id: String
    public var kind: KubeletCgroup
}

/// Lists the kubelet's cgroups: the kubepods root, QoS classes, pods and their
/// container cgroups. A directory that disappears while it is listed is a pod or
/// container that just ended, not an error.
public enum CgroupDiscovery {
    public static func discover(in hierarchy: String) -> [DiscoveredCgroup] {
        var found: [DiscoveredCgroup] = []
        for name in ["kubepods.slice", "kubepods"] where access(hierarchy + "/" + name, F_OK) == 0 {
            walk(hierarchy: hierarchy, relative: "/" + name, kind: .kubepods, into: &found)
            break
        }
        return found
    }

    private static func walk(hierarchy: String, relative: String, kind: KubeletCgroup, into found: inout [DiscoveredCgroup]) {
        found.append(DiscoveredCgroup(id: relative, kind: kind))
        if case .container = kind { return }
        for name in subdirectories(of: hierarchy + relative) {
            guard let child = KubeletCgroup.classify(name, parent: kind) else { continue }
            walk(hierarchy: hierarchy, relative: relative + "/" + name, kind: child, into: &found)
        }
    }

    static func subdirectories(of path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let type = entry.pointee.d_type
            guard type == UInt8(DT_DIR) || type == UInt8(DT_UNKNOWN) else { continue }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name != "." && name != ".." else { continue }
            if type == UInt8(DT_UNKNOWN) {
                // Some filesystems do not fill d_type; ask.
                var info = stat()
                guard stat(path + "/" + name, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { continue }
            }
            names.append(name)
        }
        return names.sorted()
    }
}
