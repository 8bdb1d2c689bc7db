import TelemetryModel

/// One node_exporter-style collector: reads one kernel source and appends the
/// families node_exporter derives from it, with node_exporter's names, labels and
/// arithmetic. Reusable buffers and cross-cycle state live inside each subsystem.
protocol NodeSubsystem: Sendable {
    /// node_exporter's collector name (`cpu`, `meminfo`, `filesystem`, ...).
    var name: String { get }
    /// Throws when the source cannot be read or parsed; that costs this subsystem's
    /// families for one cycle and nothing else.
    func collect(into families: inout [MetricFamily]) throws
}

/// Where the host's /proc, /sys and root filesystem are visible to Telegen. In a pod
/// they are the host's, mounted at other paths.
public struct NodePaths: Sendable, Equatable {
    public var procRoot: String
    public var sysRoot: String
    public var rootfs: String

    public init(procRoot: String, sysRoot: String, rootfs: String) {
        self.procRoot = procRoot
        self.sysRoot = sysRoot
        self.rootfs = rootfs
    }

    func proc(_ relative: String) -> String { Self.join(procRoot, relative) }
    func sys(_ relative: String) -> String { Self.join(sysRoot, relative) }

    /// The mount point as the host sees it: `rootfs` stripped, on a path boundary.
    func hostPath(ofMountPoint path: String) -> String {
        let root = rootfs.hasSuffix("/") && rootfs.count > 1 ? String(rootfs.dropLast()) : rootfs
        guard root != "/", !root.isEmpty else { return path }
        if path == root { return "/" }
        guard path.hasPrefix(root + "/") else { return path }
        return String(path.dropFirst(root.count))
    }

    static func join(_ root: String, _ relative: String) -> String {
        if root.hasSuffix("/") { return root + relative }
        return root + "/" + relative
    }
}

extension LabelSet {
    /// Labels of the node families that carry only a device name.
    static func device(_ name: String) -> LabelSet {
        LabelSet(names: deviceLabelNames, values: [name])
    }

    private static let deviceLabelNames = ["device"]
}
