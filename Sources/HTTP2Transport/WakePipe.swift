#if canImport(Glibc)
import Glibc
#endif

/// The pipe that wakes the client's I/O thread out of `poll`: the thread polls the
/// read end; writing a byte (a new request, a cancellation, a finished name lookup)
/// wakes it. Both ends close when the last holder lets go, so a lookup thread that
/// outlives the client (a hung resolver) never writes to a closed, reused descriptor.
final class WakePipe: Sendable {
    let readEnd: Int32
    private let writeEnd: Int32

    init() throws(HTTP2Error) {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw .connectFailed("pipe: \(String(cString: strerror(errno)))") }
        for fd in ends {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        (readEnd, writeEnd) = (ends[0], ends[1])
    }

    func wake() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)  // a full pipe already means "wake up"
    }

    /// Empties the pipe (on the I/O thread, after poll said it is readable).
    func drain() {
        var bytes = [UInt8](repeating: 0, count: 64)
        while read(readEnd, &bytes, bytes.count) > 0 {}
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }
}
