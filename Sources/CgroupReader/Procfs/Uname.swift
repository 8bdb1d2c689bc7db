#if canImport(Glibc)
import Glibc
#endif

/// The kernel's identity from uname(2).
public struct Uname: Sendable, Equatable {
    public var sysname: String
    public var nodename: String
    public var release: String
    public var version: String
    public var machine: String
    public var domainname: String

    public init(sysname: String, nodename: String, release: String, version: String, machine: String, domainname: String) {
        self.sysname = sysname
        self.nodename = nodename
        self.release = release
        self.version = version
        self.machine = machine
        self.domainname = domainname
    }

    public static func current() throws -> Uname {
        var info = utsname()
        guard uname(&info) == 0 else { throw KernelFileError.unreadable(path: "uname(2)", errno: errno) }
        return Uname(
            sysname: text(&info.sysname),
            nodename: text(&info.nodename),
            release: text(&info.release),
            version: text(&info.version),
            machine: text(&info.machine),
            domainname: text(&info.__domainname))  // glibc's name without _GNU_SOURCE
    }

    /// A fixed-size C char array, cut at its first NUL.
    private static func text<Tuple>(_ field: inout Tuple) -> String {
        withUnsafeBytes(of: &field) { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            let end = bytes.firstIndex(of: 0) ?? bytes.endIndex
            return String(decoding: bytes[..<end], as: UTF8.self)
        }
    }
}
