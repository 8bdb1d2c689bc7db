#if canImport(Glibc)
import Glibc
#endif

/// Wall-clock time as the metrics need it (Unix nanoseconds), not monotonic time.
public enum WallClock {
    public static func nowUnixNano() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
