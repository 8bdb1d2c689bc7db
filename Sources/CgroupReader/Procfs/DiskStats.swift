/// `/proc/diskstats`: one line per block device.
///
/// After major, minor and name come 11 counters on every kernel, 15 since 4.18
/// (discards) and 17 since 5.5 (flushes). See Documentation/admin-guide/iostats.rst.
public struct DiskStats: Sendable, Equatable {
    public struct Device: Sendable, Equatable {
        public var major: UInt32
        public var minor: UInt32
        public var name: String
        /// The counters in the kernel's order (11, 15 or 17 of them).
        public var counters: [UInt64]

        public init(major: UInt32, minor: UInt32, name: String, counters: [UInt64]) {
            self.major = major
            self.minor = minor
            self.name = name
            self.counters = counters
        }
    }

    /// Counter positions, named as in iostats.rst.
    public enum Column: Int, CaseIterable, Sendable {
        case readsCompleted = 0, readsMerged, sectorsRead, readTimeMilliseconds
        case writesCompleted, writesMerged, sectorsWritten, writeTimeMilliseconds
        case iosInProgress, ioTimeMilliseconds, weightedIOTimeMilliseconds
        case discardsCompleted, discardsMerged, sectorsDiscarded, discardTimeMilliseconds
        case flushesCompleted, flushTimeMilliseconds
    }

    public var devices: [Device]

    public init(devices: [Device]) { self.devices = devices }

    public static func parse(_ buffer: UnsafeBufferPointer<UInt8>, file: String = "/proc/diskstats") throws -> DiskStats {
        var devices: [Device] = []
        var lineNumber = 0
        for line in LineIterator(buffer) {
            lineNumber += 1
            var fields = FieldIterator(line)
            guard let majorField = fields.next() else { continue }
            guard let major = majorField.uint64, major <= UInt32.max,
                  let minor = fields.next()?.uint64, minor <= UInt32.max,
                  let name = fields.next() else {
                throw ParseError(file: file, line: lineNumber, reason: "expected major, minor and device name")
            }
            var counters: [UInt64] = []
            counters.reserveCapacity(17)
            for field in fields {
                guard let value = field.uint64 else {
                    throw ParseError(file: file, line: lineNumber, reason: "bad counter \"\(field.string)\"")
                }
                counters.append(value)
            }
            guard counters.count >= 11 else {
                throw ParseError(file: file, line: lineNumber, reason: "\(counters.count) counters, want at least 11")
            }
            devices.append(Device(major: UInt32(major), minor: UInt32(minor), name: name.string, counters: counters))
        }
        return DiskStats(devices: devices)
    }

    public static func parse(_ text: String) throws -> DiskStats {
        try withBytes(of: text) { try parse($0) }
    }
}

extension DiskStats.Device {
    /// The counter, or nil when this kernel does not report it.
    public subscript(column: DiskStats.Column) -> UInt64? {
        column.rawValue < counters.count ? counters[column.rawValue] : nil
    }
}
