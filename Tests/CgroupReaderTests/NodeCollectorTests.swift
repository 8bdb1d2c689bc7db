@testable import CgroupReader
import Dispatch
import Foundation
import TelemetryModel
import Testing
import TestSupport

/// The node collector on a fixture /proc tree: exact names, labels and values.
struct NodeCollectorTests {
    /// A /proc and root filesystem laid out as on a host, in a temporary directory.
    final class Fixture: Sendable {
        let directory: TemporaryDirectory
        let paths: NodePaths

        init(meminfo: String = Fixture.meminfo, pressure: Bool = true) throws {
            directory = try TemporaryDirectory("telegen-node")
            let proc = directory.path + "/proc"
            let rootfs = directory.path + "/root"
            try directory.write("proc/stat", """
                cpu  100 0 50 1000 5 0 2 1 0 0
                cpu0 17938 2 3789 90953 92 0 130 286 10 3
                cpu1 24654 10 4768 81902 1504 0 105 204 0 0
                intr 1706743 0 9
                ctxt 2196445
                btime 1795303313
                processes 12431
                procs_running 3
                procs_blocked 1

                """)
            try directory.write("proc/meminfo", meminfo)
            try directory.write("proc/loadavg", "0.25 1.50 12.00 2/345 6789\n")
            try directory.write("proc/net/dev", """
                Inter-|   Receive                                                |  Transmit
                 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                    lo:    1234      10    0    0    0     0          0         0     1234      10    0    0    0     0       0          0
                  eth0: 45562666 31024 1 2 3 4 5 6 7 8 9 10 11 12 13 14

                """)
            try directory.write("proc/diskstats", """
                 254       0 vda 23831 4473 877522 11374 5882 8633 1490288 4309 0 8572 16458 1034 0 388552 821 849 26
                 254       1 vda1 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17
                   7       0 loop0 0 0 0 0 0 0 0 0 0 0 0
                 251       0 zram0 1 0 8 0 0 0 0 0 0 0 0
                 259       0 nvme0n1 5 0 0 0 0 0 0 0 0 0 0
                 259       1 nvme0n1p1 5 0 0 0 0 0 0 0 0 0 0

                """)
            if pressure {
                try directory.write("proc/pressure/cpu", "some avg10=0.00 avg60=0.00 avg300=0.00 total=7403991\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n")
                try directory.write("proc/pressure/io", "some avg10=0.00 avg60=0.00 avg300=0.00 total=6453878\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=6355106\n")
                try directory.write("proc/pressure/memory", "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n")
            }
            // The root mount is the fixture's root directory (statfs works on it); /data
            // has no directory, so statfs fails there; the rest are excluded by default.
            try FileManager.default.createDirectory(atPath: rootfs + "/ro", withIntermediateDirectories: true)
            try directory.write("proc/1/mountinfo", """
                27 1 254:0 / \(rootfs) rw,relatime shared:1 - ext4 /dev/vda rw,discard
                28 27 254:0 / \(rootfs) rw,relatime shared:1 - ext4 /dev/vda rw,discard
                29 27 0:25 / \(rootfs)/ro rw,nosuid - tmpfs tmpfs ro,size=4k
                30 27 0:26 / \(rootfs)/data rw - xfs /dev/vdb rw
                31 27 0:5 / \(rootfs)/proc rw - proc proc rw
                32 27 0:6 / \(rootfs)/sys/fs/cgroup rw - tmpfs tmpfs rw
                33 27 0:7 / \(rootfs)/var/lib/docker/overlay2/abc/merged rw - ext4 /dev/vda rw
                34 27 0:8 / \(rootfs)/merged rw - overlay overlay rw
                35 27 0:9 / /outside/rootfs rw - ext4 /dev/vdc rw

                """)
            paths = NodePaths(procRoot: proc, sysRoot: directory.path + "/sys", rootfs: rootfs)
        }

        static let meminfo = """
            MemTotal:       24684096 kB
            MemFree:        23530600 kB
            Active(anon):       1516 kB
            HugePages_Total:       0
            Hugepagesize:       2048 kB

            """
    }

    private func exposition(_ collection: CollectionResult) -> String {
        String(decoding: ExpositionEncoder(format: .prometheusText).encode(collection.families), as: UTF8.self)
    }

    private func samples(_ text: String) -> Set<String> {
        Set(text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init))
    }

    @Test func producesNodeExporterFamiliesFromTheKernelFiles() throws {
        let fixture = try Fixture()
        let result = NodeCollector(paths: fixture.paths).collect()
        #expect(result.failures.isEmpty, "\(result.failures)")
        let lines = samples(exposition(result))
        let expected = [
            "node_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 179.38",
            "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 909.53",
            "node_cpu_seconds_total{cpu=\"1\",mode=\"iowait\"} 15.04",
            "node_cpu_seconds_total{cpu=\"1\",mode=\"steal\"} 2.04",
            "node_cpu_guest_seconds_total{cpu=\"0\",mode=\"user\"} 0.1",
            "node_cpu_guest_seconds_total{cpu=\"0\",mode=\"nice\"} 0.03",
            "node_boot_time_seconds 1.795303313e+09",
            "node_context_switches_total 2.196445e+06",
            "node_intr_total 1.706743e+06",
            "node_forks_total 12431",
            "node_procs_running 3",
            "node_procs_blocked 1",
            "node_memory_MemTotal_bytes 2.5276514304e+10",
            "node_memory_Active_anon_bytes 1.552384e+06",
            "node_memory_HugePages_Total 0",
            "node_memory_Hugepagesize_bytes 2.097152e+06",
            "node_load1 0.25", "node_load5 1.5", "node_load15 12",
            "node_network_receive_bytes_total{device=\"lo\"} 1234",
            "node_network_receive_bytes_total{device=\"eth0\"} 4.5562666e+07",
            "node_network_receive_multicast_total{device=\"eth0\"} 6",
            "node_network_transmit_colls_total{device=\"eth0\"} 12",
            "node_network_transmit_compressed_total{device=\"eth0\"} 14",
            "node_disk_reads_completed_total{device=\"vda\"} 23831",
            "node_disk_read_bytes_total{device=\"vda\"} 4.49291264e+08",
            "node_disk_read_time_seconds_total{device=\"vda\"} 11.374",
            "node_disk_io_time_seconds_total{device=\"vda\"} 8.572000000000001",
            "node_disk_io_time_weighted_seconds_total{device=\"vda\"} 16.458000000000002",
            "node_disk_discarded_sectors_total{device=\"vda\"} 388552",
            "node_disk_discard_time_seconds_total{device=\"vda\"} 0.8210000000000001",
            "node_disk_flush_requests_time_seconds_total{device=\"vda\"} 0.026000000000000002",
            "node_disk_io_now{device=\"vda\"} 0",
            "node_disk_reads_completed_total{device=\"nvme0n1\"} 5",
            "node_pressure_cpu_waiting_seconds_total 7.4039909999999995",
            "node_pressure_io_stalled_seconds_total 6.355106",
            "node_pressure_memory_waiting_seconds_total 0",
            "node_filesystem_device_error{device=\"/dev/vdb\",mountpoint=\"/data\",fstype=\"xfs\",device_error=\"no such file or directory\"} 1",
            "node_filesystem_readonly{device=\"tmpfs\",mountpoint=\"/ro\",fstype=\"tmpfs\",device_error=\"\"} 1",
            "node_filesystem_readonly{device=\"/dev/vda\",mountpoint=\"/\",fstype=\"ext4\",device_error=\"\"} 0",
            "node_filesystem_device_error{device=\"/dev/vda\",mountpoint=\"/\",fstype=\"ext4\",device_error=\"\"} 0",
            // A mount outside rootfs keeps its path (with hostPID, mountinfo holds host paths) and is measured under rootfs.
            "node_filesystem_device_error{device=\"/dev/vdc\",mountpoint=\"/outside/rootfs\",fstype=\"ext4\",device_error=\"no such file or directory\"} 1",
        ]
        for line in expected { #expect(lines.contains(line), "missing: \(line)") }

        // Partitions, loop and zram devices are excluded; the CPU "full" line is not exported.
        for absent in ["vda1", "loop0", "zram0", "nvme0n1p1", "node_pressure_cpu_stalled", "mountpoint=\"/proc\"",
                       "/sys/fs/cgroup", "/var/lib/docker", "overlay"] {
            #expect(!lines.contains { $0.contains(absent) }, "should be excluded: \(absent)")
        }
        // Size of "/" is what statfs says about the fixture's root directory.
        let usage = try FilesystemUsage.read(path: fixture.paths.rootfs)
        #expect(lines.contains("node_filesystem_size_bytes{device=\"/dev/vda\",mountpoint=\"/\",fstype=\"ext4\",device_error=\"\"} "
                               + GoFloatFormat.string(Double(usage.blocks) * Double(usage.blockSize))))
        // The duplicate mount line yields one set of series; a failed statfs yields no size.
        #expect(lines.filter { $0.hasPrefix("node_filesystem_size_bytes") }.count == 2)
        #expect(result.families.map(\.name) == result.families.map(\.name).sorted())
        #expect(result.families.allSatisfy { !$0.series.isEmpty })
    }

    /// In a pod without hostNetwork, `<proc>/net/dev` is the pod's own namespace; PID 1's
    /// is the host's, and it is the one read when it is there.
    @Test func networkCountersComeFromInitsNamespaceWhenVisible() throws {
        let fixture = try Fixture()
        func interfaces() -> Set<String> {
            let lines = samples(exposition(NodeCollector(paths: fixture.paths).collect()))
            return Set(lines.filter { $0.hasPrefix("node_network_receive_bytes_total{") }.compactMap { line in
                line.split(separator: "\"").dropFirst().first.map(String.init)
            })
        }
        #expect(interfaces() == ["eth0", "lo"])
        try fixture.directory.write("proc/1/net/dev", """
            Inter-|   Receive                                                |  Transmit
             face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                lo:    1234      10    0    0    0     0          0         0     1234      10    0    0    0     0       0          0
              ens5: 98765 31024 0 0 0 0 0 0 4321 8 0 0 0 0 0 0

            """)
        #expect(interfaces() == ["ens5", "lo"])
    }

    @Test func countersCarryBootTimeAsTheirStartAndGaugesNone() throws {
        let fixture = try Fixture()
        let families = NodeCollector(paths: fixture.paths).collect().families
        for family in families {
            for series in family.series {
                if family.type == .counter {
                    #expect(series.startTimeUnixNano == 1_795_303_313_000_000_000, "\(family.name)")
                } else {
                    #expect(series.startTimeUnixNano == nil, "\(family.name)")
                }
            }
        }
    }

    @Test func aBrokenSourceCostsOnlyItsOwnFamilies() throws {
        let fixture = try Fixture(meminfo: "MemTotal: lots kB\n", pressure: false)
        let result = NodeCollector(paths: fixture.paths).collect()
        #expect(result.failures.map(\.subsystem) == ["meminfo"])
        #expect(result.failures[0].message.contains("bad value for \"MemTotal\""))
        let names = Set(result.families.map(\.name))
        #expect(!names.contains { $0.hasPrefix("node_memory_") })
        #expect(!names.contains { $0.hasPrefix("node_pressure_") })  // no PSI is not a failure
        #expect(names.contains("node_cpu_seconds_total") && names.contains("node_load1") && names.contains("node_filesystem_size_bytes"))
    }

    @Test func missingSourcesAreReportedNotFatal() throws {
        let empty = try TemporaryDirectory()
        let result = NodeCollector(paths: NodePaths(procRoot: empty.path, sysRoot: empty.path, rootfs: "/")).collect()
        #expect(Set(result.failures.map(\.subsystem)) == ["stat", "meminfo", "loadavg", "netdev", "diskstats", "filesystem"])
        // uname and time need no files.
        #expect(result.families.map(\.name) == ["node_time_seconds", "node_uname_info"])
    }

    @Test func rootfsIsStrippedOnlyAtPathBoundaries() {
        let paths = NodePaths(procRoot: "/host/proc", sysRoot: "/host/sys", rootfs: "/host")
        #expect(paths.hostPath(ofMountPoint: "/host") == "/")
        #expect(paths.hostPath(ofMountPoint: "/host/var/lib") == "/var/lib")
        #expect(paths.hostPath(ofMountPoint: "/hostile") == "/hostile")
        #expect(NodePaths(procRoot: "", sysRoot: "", rootfs: "/").hostPath(ofMountPoint: "/x") == "/x")
        #expect(NodePaths(procRoot: "", sysRoot: "", rootfs: "/host/").hostPath(ofMountPoint: "/host/x") == "/x")
    }
}

struct CPUClampTests {
    private func times(_ cpu: Int, user: UInt64, idle: UInt64) -> ProcStat.CPUTimes {
        var times = ProcStat.CPUTimes(cpu: cpu)
        times.user = user
        times.idle = idle
        return times
    }

    @Test func countersNeverGoBackwardsUnlessIdleJumpsBackThreeSeconds() {
        var published: [Int: ProcStat.CPUTimes] = [:]
        _ = ProcStatCollector.clamp([times(0, user: 500, idle: 10_000)], published: &published)
        // user went back: the old value is kept.
        var out = ProcStatCollector.clamp([times(0, user: 400, idle: 10_100)], published: &published)
        #expect(out[0].user == 500 && out[0].idle == 10_100)
        // idle went back by 2.99 s: clamped, not reset.
        out = ProcStatCollector.clamp([times(0, user: 600, idle: 9_801)], published: &published)
        #expect(out[0].user == 600 && out[0].idle == 10_100)
        // idle went back by 3 s or more: a hotplug, the CPU starts over.
        out = ProcStatCollector.clamp([times(0, user: 10, idle: 100)], published: &published)
        #expect(out[0].user == 10 && out[0].idle == 100)
    }

    @Test func offlineCPUsAreForgotten() {
        var published: [Int: ProcStat.CPUTimes] = [:]
        _ = ProcStatCollector.clamp([times(0, user: 1, idle: 1), times(1, user: 5, idle: 5)], published: &published)
        _ = ProcStatCollector.clamp([times(0, user: 2, idle: 2)], published: &published)
        #expect(published.keys.sorted() == [0])
        // When CPU 1 comes back, it starts from its new values, not the stale ones.
        let out = ProcStatCollector.clamp([times(0, user: 3, idle: 3), times(1, user: 1, idle: 1)], published: &published)
        #expect(out[1].user == 1)
    }
}

/// The hand-written filters against node_exporter's regular expressions.
struct DeviceFilterTests {
    @Test func diskFilterMatchesNodeExporterRegex() throws {
        let regex = try Regex("^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme[0-9]+n[0-9]+p)[0-9]+$")
        var names = ["sda", "sda1", "sdz12", "hda1", "vda", "vda1", "xvda", "xvda1", "xvd1", "nvme0n1", "nvme0n1p1", "nvme10n2p33",
                     "nvmen1p1", "nvme0p1", "ram0", "zram0", "zram", "loop0", "loop", "fd0", "dm-0", "md0", "sr0", "mmcblk0",
                     "mmcblk0p1", "sdaa1", "sd1", "vdA1", "nvme0n1p", "loop12x", "", "0", "xvdab1", "ram", "rbd0"]
        for a in ["s", "v", "h", "x", "n", "l", "z", "r", "d", "p", "m", "e", "0", "1", "a", "o", "f"] {
            for b in ["d", "a", "v", "m", "0", "1", "p", "n", "o"] {
                for c in ["a", "0", "1", "e", "p", ""] { names.append(a + b + c + "1") }
            }
        }
        for name in names {
            #expect(DiskDeviceFilter.isExcluded(name) == (try regex.wholeMatch(in: name) != nil), "\(name)")
        }
    }

    @Test func mountFilterMatchesNodeExporterRegex() throws {
        let regex = try Regex("^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)")
        let paths = ["/", "/dev", "/dev/shm", "/devices", "/proc", "/proc/sys/fs/binfmt_misc", "/processes", "/sys", "/sys/fs/cgroup",
                     "/system", "/run", "/run/credentials", "/run/credentials/", "/run/credentials/x", "/run/credentials/x/y",
                     "/var/lib/docker", "/var/lib/docker/", "/var/lib/docker/overlay2/x/merged", "/var/lib/containers/storage/overlay",
                     "/var/lib/containers/storage", "/var/lib/kubelet/pods/x/volumes", "/home", "/boot/efi", "/mnt/data", "dev",
                     "/dev2", "/var/lib/dockerd/x", "/var/lib/containers/storage/"]
        for path in paths {
            #expect(MountFilter.isExcluded(mountPoint: path) == (try regex.firstMatch(in: path) != nil), "\(path)")
        }
        let typeRegex = try Regex("^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|tracefs)$")
        for type in ["ext4", "xfs", "tmpfs", "cgroup", "cgroup2", "cgroup3", "overlay", "overlayfs", "proc", "nfs", "btrfs", "erofs",
                     "fuse.sshfs", "fusectl", "squashfs", "vfat", "zfs", "bpf", "nsfs", "sysfs"] {
            #expect(MountFilter.excludedFSTypes.contains(type) == (try typeRegex.wholeMatch(in: type) != nil), "\(type)")
        }
    }
}

struct StatfsGuardTests {
    @Test func aHangingMountIsMarkedStuckAndSkippedUntilItAnswers() throws {
        let release = DispatchSemaphore(value: 0)
        let guardian = StatfsGuard(timeout: .milliseconds(100)) { path in
            if path == "/nfs" { release.wait() }
            return FilesystemUsage(blockSize: 4096, blocks: 10, blocksFree: 5, blocksAvailable: 4, files: 3, filesFree: 2)
        }
        let start = ContinuousClock.now
        #expect(guardian.usage(of: "/nfs") == .failure(.init(message: "mountpoint timeout")))
        #expect(ContinuousClock.now - start < .seconds(2))
        // While the call hangs, the mount is skipped at once.
        let skipStart = ContinuousClock.now
        #expect(guardian.usage(of: "/nfs") == .failure(.init(message: "mountpoint timeout")))
        #expect(ContinuousClock.now - skipStart < .milliseconds(50))
        // Other mounts are unaffected.
        #expect((try? guardian.usage(of: "/ok").get())?.blocks == 10)
        // Once the hung call returns, the mount is measured again.
        release.signal()
        var recovered = false
        for _ in 0..<100 where !recovered {
            Thread.sleep(forTimeInterval: 0.02)
            release.signal()
            recovered = (try? guardian.usage(of: "/nfs").get()) != nil
        }
        #expect(recovered)
    }
}
