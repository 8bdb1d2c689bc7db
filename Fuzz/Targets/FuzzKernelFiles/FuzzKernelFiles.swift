@testable import CgroupReader
#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer entry for every parser of /proc, /sys and cgroup files. The first byte
/// picks the parser (its value modulo the number of parsers, so every byte value picks
/// one); the rest is the file. A parse error is the expected outcome for most inputs, a
/// trap or a sanitizer report is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKernelFiles(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard size > 0, let data else { return 0 }
    let file = UnsafeBufferPointer(start: data + 1, count: size - 1)
    let parsers = KernelFileParsers.all
    parsers[Int(data[0]) % parsers.count].parse(file)
    return 0
}

/// One parser under test and how to call it. The order is the corpus format: the
/// seeds' first byte is an index into `all`, so append new parsers at the end.
struct KernelFileParsers: Sendable {
    let name: String
    let parse: @Sendable (UnsafeBufferPointer<UInt8>) -> Void

    static let all: [KernelFileParsers] = [
        KernelFileParsers(name: "meminfo") { _ = try? MemInfo.parse($0) },
        KernelFileParsers(name: "stat") { _ = try? ProcStat.parse($0) },
        KernelFileParsers(name: "net_dev") { _ = try? NetDev.parse($0) },
        KernelFileParsers(name: "diskstats") { _ = try? DiskStats.parse($0) },
        KernelFileParsers(name: "mountinfo") { _ = try? MountInfo.parse($0) },
        KernelFileParsers(name: "loadavg") { _ = try? LoadAverage.parse($0) },
        KernelFileParsers(name: "pressure") { _ = try? Pressure.parse($0, file: "cpu.pressure") },
        KernelFileParsers(name: "cpu_list") { _ = try? MachineInfo.countCPUs(inList: $0, file: "online") },
        KernelFileParsers(name: "keyed_values") { KeyedValues.forEach(in: $0) { key, value in _ = (key.count, value) } },
        KernelFileParsers(name: "single_number") { _ = try? KeyedValues.single($0, file: "memory.max") },
        KernelFileParsers(name: "signed_number") { _ = try? KeyedValues.signed($0, file: "cpu.cfs_quota_us") },
        KernelFileParsers(name: "cgroup_procs") { _ = KeyedValues.processes($0) },
        KernelFileParsers(name: "io_stat") { _ = CgroupStatsReader.parseIOStat($0) },
        KernelFileParsers(name: "cgroup_name") { buffer in
            // A directory name in the kubelet's tree, under each kind of parent.
            let name = String(decoding: buffer, as: UTF8.self)
            for parent in [KubeletCgroup.root, .kubepods, .qos("burstable"), .pod(uid: "uid")] {
                _ = KubeletCgroup.classify(name, parent: parent)
            }
        },
        KernelFileParsers(name: "octal_escapes") { _ = MountInfo.unescapeOctal($0[...]) },
        KernelFileParsers(name: "disk_name") { _ = DiskDeviceFilter.isExcluded(String(decoding: $0, as: UTF8.self)) },
    ]
}
