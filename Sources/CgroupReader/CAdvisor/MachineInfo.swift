#if canImport(Glibc)
import Glibc
#endif

/// What cAdvisor's machine collector reports: logical CPUs online, installed memory,
/// and the identifiers it labels both with.
struct MachineInfo: Sendable, Equatable {
    var cpuCores: Int
    var memoryBytes: UInt64
    /// Swap configured on the host; with none, no cgroup can use any.
    var swapBytes: UInt64
    var bootID: String
    var machineID: String
    var systemUUID: String
    /// Identifier files that exist but could not be read (`product_uuid` is 0400 root:
    /// a non-root agent needs CAP_DAC_READ_SEARCH), with the error; their label is empty.
    var unreadable: [String] = []

    /// Reads the host's files through the given roots; an identifier that cannot be
    /// read is empty, as in cAdvisor, and one that exists but is unreadable is also
    /// listed in `unreadable`.
    static func read(procRoot: String, sysRoot: String, rootfs: String) throws -> MachineInfo {
        var reader = KernelFileReader(initialCapacity: 8192)
        let meminfo = procRoot + "/meminfo"
        let memory = try reader.withContents(of: meminfo) { try MemInfo.parse($0, file: meminfo) }
        let online = sysRoot + "/devices/system/cpu/online"
        let cores = try reader.withContents(of: online) { try countCPUs(inList: $0, file: online) }
        var unreadable: [String] = []
        /// The first of `paths` with a value; "" when none has (a VM without DMI, say).
        func identifier(_ paths: String...) -> String {
            var failure: KernelFileError?
            for path in paths {
                do {
                    let value = try reader.withContents(of: path) { $0[...].trimmingTrailing(0x0A).string }
                    if !value.isEmpty { return value }
                } catch let error as KernelFileError {
                    if case .unreadable = error, failure == nil { failure = error }
                } catch {}
            }
            if let failure { unreadable.append(failure.description) }
            return ""
        }
        let root = rootfs.hasSuffix("/") ? String(rootfs.dropLast()) : rootfs
        return MachineInfo(
            cpuCores: cores, memoryBytes: (memory["MemTotal"]?.value ?? 0).saturatingMultiply(1024),
            swapBytes: (memory["SwapTotal"]?.value ?? 0).saturatingMultiply(1024),
            bootID: identifier(procRoot + "/sys/kernel/random/boot_id"),
            machineID: identifier(root + "/etc/machine-id", root + "/var/lib/dbus/machine-id"),
            systemUUID: identifier(sysRoot + "/class/dmi/id/product_uuid"),
            unreadable: unreadable)
    }

    /// A kernel CPU list (`0-3,6,8-9`): how many CPUs it names.
    static func countCPUs(inList buffer: UnsafeBufferPointer<UInt8>, file: String) throws -> Int {
        var count = 0
        let text = buffer[...].trimmingTrailing(0x0A)
        for range in text.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            let bounds = range.split(separator: UInt8(ascii: "-"), maxSplits: 1, omittingEmptySubsequences: false)
            // No kernel numbers CPUs past 2^20 (as ProcStat), so the count cannot overflow.
            guard let low = bounds.first?.uint64, let high = (bounds.count == 2 ? bounds[1].uint64 : low), high >= low,
                  high < 1 << 20 else {
                throw ParseError(file: file, line: 1, reason: "bad CPU list \"\(text.string)\"")
            }
            count += Int(high - low + 1)
        }
        guard count > 0 else { throw ParseError(file: file, line: 1, reason: "empty CPU list") }
        return count
    }
}
