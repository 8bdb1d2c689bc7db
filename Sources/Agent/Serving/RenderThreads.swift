#if canImport(Glibc)
import Glibc
#endif

/// The HTTP server's render threads give way to its event loop: rendering and
/// compressing expositions runs at nice 10, so that while many scrapes are under
/// way the event loop (health checks, accepting, writing) still gets the CPU
/// first. On Linux the nice value is per thread, and `who` 0 means the calling
/// thread (the kernel resolves it to the current task), not the whole process.
enum RenderThreads {
    static let niceness: Int32 = 10

    /// Lowers the calling thread's priority (once per thread in effect: setting the
    /// same value again changes nothing). Failure leaves it as it was.
    static func yieldToEventLoop() {
        #if os(Linux)
        let which = __priority_which_t(PRIO_PROCESS.rawValue)
        if getpriority(which, 0) < niceness {
            _ = setpriority(which, 0, niceness)
        }
        #endif
    }
}
