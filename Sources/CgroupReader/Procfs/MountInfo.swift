/// `/proc/<pid>/mountinfo`: the mounts seen from a process's mount namespace.
///
///     36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
///     (1)(2) (3)   (4)   (5)      (6)      (7)   (8) (9)   (10)         (11)
public struct MountInfo: Sendable, Equatable {
    public struct Mount: Sendable, Equatable {
        public var major: UInt32
        public var minor: UInt32
        /// Where it is mounted, with the kernel's octal escapes (`\040`) undone.
        public var mountPoint: String
        /// Per-mount options (field 6), e.g. `rw,relatime`.
        public var mountOptions: String
        public var fsType: String
        /// The mount source (field 10), e.g. `/dev/vda1`, `tmpfs`.
        public var source: String
        /// Per-superblock options (field 11).
        public var superOptions: String

        public init(major: UInt32, minor: UInt32, mountPoint: String, mountOptions: String,
                    fsType: String, source: String, superOptions: String) {
            self.major = major
            self.minor = minor
            self.mountPoint = mountPoint
            self.mountOptions = mountOptions
            self.fsType = fsType
            self.source = source
            self.superOptions = superOptions
        }
    }

    public var mounts: [Mount]

    public init(mounts: [Mount]) { self.mounts = mounts }

    public static func parse(_ buffer: UnsafeBufferPointer<UInt8>, file: String = "/proc/self/mountinfo") throws -> MountInfo {
        var mounts: [Mount] = []
        var lineNumber = 0
        for line in LineIterator(buffer) {
            lineNumber += 1
            var fields = FieldIterator(line)
            guard fields.next() != nil else { continue }  // mount ID
            guard fields.next() != nil,                     // parent ID
                  let device = fields.next(),
                  fields.next() != nil,                     // root within the filesystem
                  let mountPoint = fields.next(),
                  let mountOptions = fields.next() else {
                throw ParseError(file: file, line: lineNumber, reason: "too few fields")
            }
            // Optional fields (shared:N, master:N, ...) run until a lone "-".
            var separatorFound = false
            while let field = fields.next() {
                if field.equals("-") { separatorFound = true; break }
            }
            guard separatorFound, let fsType = fields.next(), let source = fields.next() else {
                throw ParseError(file: file, line: lineNumber, reason: "missing '-' separator or filesystem fields")
            }
            let superOptions = fields.next()
            guard let colon = device.firstIndex(of: UInt8(ascii: ":")),
                  let major = device[..<colon].uint64, major <= UInt32.max,
                  let minor = device[(colon + 1)...].uint64, minor <= UInt32.max else {
                throw ParseError(file: file, line: lineNumber, reason: "bad device number \"\(device.string)\"")
            }
            mounts.append(Mount(
                major: UInt32(major), minor: UInt32(minor),
                mountPoint: unescapeOctal(mountPoint),
                mountOptions: mountOptions.string,
                fsType: unescapeOctal(fsType),
                source: unescapeOctal(source),
                superOptions: superOptions?.string ?? ""))
        }
        return MountInfo(mounts: mounts)
    }

    public static func parse(_ text: String) throws -> MountInfo {
        try withBytes(of: text) { try parse($0) }
    }

    /// The kernel writes space, tab, newline and backslash in paths as `\ooo`.
    static func unescapeOctal(_ field: Bytes) -> String {
        guard field.contains(UInt8(ascii: "\\")) else { return field.string }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(field.count)
        var index = field.startIndex
        while index < field.endIndex {
            let byte = field[index]
            if byte == UInt8(ascii: "\\"), index + 3 < field.endIndex,
               let value = octalValue(field[(index + 1)..<(index + 4)]) {
                bytes.append(value)
                index += 4
                continue
            }
            bytes.append(byte)
            index += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func octalValue(_ digits: Bytes) -> UInt8? {
        guard digits.count == 3 else { return nil }
        var value: UInt32 = 0
        for digit in digits {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "7") else { return nil }
            value = value * 8 + UInt32(digit - UInt8(ascii: "0"))
        }
        return value <= 0xFF ? UInt8(value) : nil
    }
}
