#if canImport(Glibc)
import Glibc
#endif

/// `major:minor` → `/dev/<kernel name>`, from the `/sys/dev/block/<major>:<minor>`
/// symlinks, as cAdvisor names devices in `container_fs_*{device}`. Names are cached:
/// a device number keeps its name while the device exists. A number that has no name
/// is cached too (every container would otherwise ask again each cycle) until
/// `forgetUnnamed()`, which refresh cycles call so a device that appears is named.
struct BlockDeviceNames {
    let sysRoot: String
    private var cache: [UInt64: String] = [:]

    init(sysRoot: String) {
        self.sysRoot = sysRoot
    }

    mutating func name(major: UInt32, minor: UInt32) -> String {
        let key = UInt64(major) << 32 | UInt64(minor)
        if let known = cache[key] { return known }
        var buffer = [CChar](repeating: 0, count: 512)
        let count = readlink("\(sysRoot)/dev/block/\(major):\(minor)", &buffer, buffer.count - 1)
        let name: String
        if count > 0 {
            let target = buffer[0..<count].map { UInt8(bitPattern: $0) }
            let base = target.split(separator: UInt8(ascii: "/")).last.map { String(decoding: $0, as: UTF8.self) } ?? ""
            name = "/dev/" + base
        } else {
            name = ""  // cAdvisor leaves a device it cannot name unnamed (gone, or /sys not mounted)
        }
        cache[key] = name
        return name
    }

    mutating func forgetUnnamed() {
        if cache.values.contains("") { cache = cache.filter { !$0.value.isEmpty } }
    }
}
