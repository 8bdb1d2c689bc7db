#if canImport(Glibc)
import Glibc
#endif
import CgroupReader
import Logging
import ServiceLifecycle

/// Unmaps the agent's own code and read-only data once start-up is over, so that its
/// resident memory is what the steady state uses rather than what starting touched.
///
/// Why it matters: a fault on a file-backed page maps up to fifteen neighbouring pages
/// already in the page cache with it (the kernel's fault-around, 64 KiB), so start-up —
/// configuration and YAML, TLS set-up, the first cycle of every collector — leaves
/// about half of the binary's 27 MB of code resident, most of which never runs again.
/// `MADV_DONTNEED` on those mappings drops them from the process; the pages stay in the
/// page cache, clean and shared, and whatever the steady state runs faults back in
/// (a minor fault per 64 KiB). Measured in docs/benchmarks.md.
///
/// Only segments nothing ever writes are released: the executable's own `PT_LOAD`
/// segments without `PF_W` (never a library's, nor a writable segment: RELRO is
/// relocated before it is made read-only, and dropping its pages would bring back the
/// file's unrelocated bytes), and nothing at all if the executable has text
/// relocations. Each range is shrunk to whole pages inside its segment.
struct StartupPageRelease: Service {
    var delay: Duration = .seconds(30)
    let logger: Logger

    /// Releases once, then waits for the shutdown: a service of the group that returns
    /// early would end the whole group.
    func run() async throws {
        let delay = self.delay
        do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) } } catch { return }
        let before = Self.residentBytes()
        let released = Self.release()
        logger.debug("released start-up pages", metadata: [
            "segment_bytes": "\(released)", "rss_before": "\(before)", "rss_after": "\(Self.residentBytes())",
        ])
        try? await gracefulShutdown()
    }

    /// Releases the executable's read-only segments; returns the bytes of address
    /// space advised (not all of it was resident).
    @discardableResult
    static func release() -> Int {
        var released = 0
        for range in readOnlySegments() where madvise(UnsafeMutableRawPointer(bitPattern: range.start), range.length, MADV_DONTNEED) == 0 {
            released += range.length
        }
        return released
    }

    /// The executable's `PT_LOAD` segments without `PF_W`, as whole pages; empty when
    /// it has text relocations or its program headers cannot be placed.
    static func readOnlySegments() -> [(start: UInt, length: Int)] {
        // The kernel hands every process its executable's program headers (auxiliary vector).
        let address = telegenGetauxval(UInt(AT_PHDR)), count = Int(telegenGetauxval(UInt(AT_PHNUM)))
        guard let headers = UnsafePointer<Elf64_Phdr>(bitPattern: address), count > 0 else { return [] }
        let table = UnsafeBufferPointer(start: headers, count: count)
        // Where the executable was loaded: the headers' address less their own place in it.
        guard let own = table.first(where: { $0.p_type == UInt32(PT_PHDR) }) else { return [] }
        let base = address &- UInt(own.p_vaddr)
        var found = Segments(pageSize: UInt(sysconf(Int32(_SC_PAGESIZE))))
        for header in table {
            if header.p_type == UInt32(PT_DYNAMIC) && Segments.hasTextRelocations(UnsafeRawPointer(bitPattern: base &+ UInt(header.p_vaddr))) {
                return []
            }
            guard header.p_type == UInt32(PT_LOAD), header.p_flags & UInt32(PF_W) == 0 else { continue }
            found.add(start: base &+ UInt(header.p_vaddr), length: UInt(header.p_memsz))
        }
        return found.ranges
    }

    private struct Segments {
        let pageSize: UInt
        var ranges: [(start: UInt, length: Int)] = []

        mutating func add(start: UInt, length: UInt) {
            let first = (start &+ pageSize &- 1) / pageSize * pageSize
            let end = (start &+ length) / pageSize * pageSize
            if end > first { ranges.append((first, Int(end - first))) }
        }

        /// `DT_TEXTREL`, or `DF_TEXTREL` in `DT_FLAGS`: the loader wrote into code.
        static func hasTextRelocations(_ dynamic: UnsafeRawPointer?) -> Bool {
            guard var entry = dynamic?.assumingMemoryBound(to: Elf64_Dyn.self) else { return true }
            while entry.pointee.d_tag != Int64(DT_NULL) {
                if entry.pointee.d_tag == Int64(DT_TEXTREL) { return true }
                if entry.pointee.d_tag == Int64(DT_FLAGS) && entry.pointee.d_un.d_val & UInt64(DF_TEXTREL) != 0 { return true }
                entry += 1
            }
            return false
        }
    }

    /// Resident bytes (`/proc/self/statm`), for the log line.
    static func residentBytes() -> Int {
        var reader = KernelFileReader(initialCapacity: 128)
        let fields = (try? reader.withContents(of: "/proc/self/statm") { String(decoding: $0, as: UTF8.self) })?.split(separator: " ") ?? []
        return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
    }
}

/// glibc's `getauxval`, which the Glibc module does not export.
@_silgen_name("getauxval")
private func telegenGetauxval(_ type: UInt) -> UInt
