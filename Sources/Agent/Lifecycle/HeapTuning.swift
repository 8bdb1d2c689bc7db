#if canImport(Glibc)
import Glibc
#endif

/// glibc's allocator, set up for a long-running agent whose large buffers come and go:
/// a scrape or an OTLP push of a big cluster allocates megabytes for a few seconds.
///
/// - `M_MMAP_THRESHOLD` fixed at 1 MiB: buffers above it (OTLP requests of up to
///   4 MiB) are mapped and given back the moment they are freed, while the 256 KiB
///   chunks of a scrape are reused from the heap instead of costing a map, page
///   faults and an unmap each. Left alone, glibc raises the threshold to the size of
///   the largest mapped block freed so far (up to 32 MiB), after which 4 MiB requests
///   come from the heap and stay resident after the push.
/// - `M_TRIM_THRESHOLD` 2 MiB: without it every freed chunk at the top of the heap is
///   handed back at once (a `brk` per chunk, with a TLB shoot-down on every core);
///   `trim()` and `HeapTrimmer` give back what stays unused.
/// - `M_ARENA_MAX` 2: every thread that allocates otherwise gets an arena of its own,
///   each keeping its own freed memory.
/// - `trim()` after a large render or push, and `HeapTrimmer` every 30 s (a list or a
///   relist frees a page of JSON at a time), give freed heap pages back
///   (`malloc_trim`, a few milliseconds).
enum HeapTuning {
    private static let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD
    private static let arenaMax: Int32 = -8  // M_ARENA_MAX
    private static let trimThreshold: Int32 = -1  // M_TRIM_THRESHOLD

    static func configure() {
        _ = telegenMallopt(mmapThreshold, 1 << 20)
        _ = telegenMallopt(trimThreshold, 2 << 20)
        _ = telegenMallopt(arenaMax, 2)
    }

    static func trim() {
        _ = telegenMallocTrim(0)
    }
}

// glibc functions the Glibc module does not export.
@_silgen_name("mallopt")
private func telegenMallopt(_ parameter: Int32, _ value: Int32) -> Int32

@_silgen_name("malloc_trim")
private func telegenMallocTrim(_ pad: Int) -> Int32

import ServiceLifecycle

/// Gives freed heap memory back to the system every `interval`.
struct HeapTrimmer: Service {
    var interval: Duration = .seconds(30)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { return }
                HeapTuning.trim()
            }
        }
    }
}
