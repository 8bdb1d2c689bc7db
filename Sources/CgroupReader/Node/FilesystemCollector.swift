import Dispatch
import TelemetryModel
import Synchronization

/// `node_filesystem_*` for every mounted filesystem node_exporter would report:
/// mounts from PID 1's mountinfo (the host's mount namespace when Telegen runs with
/// hostPID), minus node_exporter's default excluded mount points and filesystem
/// types, measured with statfs.
///
/// Labels follow current node_exporter: `device, mountpoint, fstype, device_error`,
/// where `device_error` is empty unless statfs failed.
final class FilesystemCollector: NodeSubsystem {
    let name = "filesystem"
    private let paths: NodePaths
    private let statfs: StatfsGuard
    /// PID 1's mounts, or our own when /proc hides other processes (hidepid).
    private let mountSources: [KernelFileSource]

    private static let labelNames = ["device", "mountpoint", "fstype", "device_error"]

    init(paths: NodePaths, statfs: StatfsGuard = StatfsGuard(timeout: .seconds(5))) {
        self.paths = paths
        self.statfs = statfs
        mountSources = ["1/mountinfo", "self/mountinfo"].map { KernelFileSource(path: paths.proc($0), initialCapacity: 8192) }
    }

    func collect(into families: inout [MetricFamily]) throws {
        let mounts = try readMounts()
        var size: [Series] = [], free: [Series] = [], avail: [Series] = []
        var files: [Series] = [], filesFree: [Series] = []
        var readonly: [Series] = [], deviceError: [Series] = []

        struct Key: Hashable { var device, mountPoint, fsType: String }
        var seen = Set<Key>()
        for mount in mounts {
            let mountPoint = paths.hostPath(ofMountPoint: mount.mountPoint)
            guard !MountFilter.isExcluded(mountPoint: mountPoint, fsType: mount.fsType) else { continue }
            guard seen.insert(Key(device: mount.source, mountPoint: mountPoint, fsType: mount.fsType)).inserted else { continue }

            let isReadOnly = Self.hasOption("ro", mount.mountOptions) || Self.hasOption("ro", mount.superOptions)
            let result = statfs.usage(of: NodePaths.join(paths.rootfs, String(mountPoint.dropFirst())))
            let errorText: String
            switch result {
            case .success: errorText = ""
            case .failure(let error): errorText = error.message
            }
            let labels = LabelSet(names: Self.labelNames, values: [mount.source, mountPoint, mount.fsType, errorText])
            deviceError.append(Series(labels: labels, value: errorText.isEmpty ? 0 : 1))
            readonly.append(Series(labels: labels, value: isReadOnly ? 1 : 0))
            guard case .success(let usage) = result else { continue }
            // node_exporter multiplies as floats: float64(blocks) * float64(bsize).
            let blockSize = Double(usage.blockSize)
            size.append(Series(labels: labels, value: Double(usage.blocks) * blockSize))
            free.append(Series(labels: labels, value: Double(usage.blocksFree) * blockSize))
            avail.append(Series(labels: labels, value: Double(usage.blocksAvailable) * blockSize))
            files.append(Series(labels: labels, value: Double(usage.files)))
            filesFree.append(Series(labels: labels, value: Double(usage.filesFree)))
        }
        families.append(MetricFamily(name: "node_filesystem_size_bytes", help: "Filesystem size in bytes.", type: .gauge, unit: "By", series: size))
        families.append(MetricFamily(name: "node_filesystem_free_bytes", help: "Filesystem free space in bytes.", type: .gauge, unit: "By", series: free))
        families.append(MetricFamily(name: "node_filesystem_avail_bytes", help: "Filesystem space available to non-root users in bytes.", type: .gauge, unit: "By", series: avail))
        families.append(MetricFamily(name: "node_filesystem_files", help: "Filesystem total file nodes.", type: .gauge, unit: "{inode}", series: files))
        families.append(MetricFamily(name: "node_filesystem_files_free", help: "Filesystem total free file nodes.", type: .gauge, unit: "{inode}", series: filesFree))
        families.append(MetricFamily(name: "node_filesystem_readonly", help: "Filesystem read-only status.", type: .gauge, series: readonly))
        families.append(MetricFamily(name: "node_filesystem_device_error", help: "Whether an error occurred while getting statistics for the given device.", type: .gauge, series: deviceError))
    }

    private func readMounts() throws -> [MountInfo.Mount] {
        for source in mountSources {
            do {
                return try source.read(MountInfo.parse).mounts
            } catch KernelFileError.missing {
                continue
            } catch KernelFileError.unreadable(_, let code) where code == 13 /* EACCES */ {
                continue
            }
        }
        throw KernelFileError.missing(path: mountSources.last!.path)
    }

    private static func hasOption(_ option: String, _ options: String) -> Bool {
        options.split(separator: ",").contains { $0 == option }
    }
}
