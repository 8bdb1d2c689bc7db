#if canImport(Glibc)
import Glibc
#endif

/// Memory for a record store's pages, mapped from the kernel rather than taken from the
/// allocator's heap.
///
/// Pages come and go all the time under churn: a page whose holes pass a third of it is
/// compacted and freed. From the heap (glibc serves 256 KiB from its arenas, as the
/// agent sets the map threshold at 1 MiB) a freed page leaves a 256 KiB hole that small
/// allocations then split, so the next page extends the heap and resident memory
/// creeps up with every million events (docs/benchmarks.md, "Churn soak"). A mapped
/// page goes back to the kernel the moment it is freed. The cost is a map, an unmap
/// and the first touch of each 4 KiB, per 256 KiB page, which happens once per few
/// hundred records written.
enum PageMemory {
    /// `bytes` of zeroed, writable memory; from the heap when the kernel refuses a map.
    static func allocate(_ bytes: Int) -> (base: UnsafeMutablePointer<UInt8>, mapped: Bool) {
        #if canImport(Glibc)
        if let address = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
           address != MAP_FAILED {
            return (address.assumingMemoryBound(to: UInt8.self), true)
        }
        #endif
        return (.allocate(capacity: bytes), false)
    }

    /// Gives back what `allocate` returned, with the same `bytes` and `mapped`.
    static func deallocate(_ base: UnsafeMutablePointer<UInt8>, bytes: Int, mapped: Bool) {
        #if canImport(Glibc)
        if mapped {
            _ = munmap(base, bytes)
            return
        }
        #endif
        base.deallocate()
    }
}
