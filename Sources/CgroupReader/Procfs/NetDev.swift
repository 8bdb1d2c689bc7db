/// `/proc/net/dev` (also `/proc/<pid>/net/dev` for a pod's network namespace).
public struct NetDev: Sendable, Equatable {
    /// The sixteen counters of one interface, in the kernel's column order.
    public struct Device: Sendable, Equatable {
        public var name: String
        /// bytes, packets, errs, drop, fifo, frame, compressed, multicast
        public var receive: [UInt64]
        /// bytes, packets, errs, drop, fifo, colls, carrier, compressed
        public var transmit: [UInt64]

        public init(name: String, receive: [UInt64], transmit: [UInt64]) {
            self.name = name
            self.receive = receive
            self.transmit = transmit
        }
    }

    public static let receiveColumns = ["bytes", "packets", "errs", "drop", "fifo", "frame", "compressed", "multicast"]
    public static let transmitColumns = ["bytes", "packets", "errs", "drop", "fifo", "colls", "carrier", "compressed"]

    public var devices: [Device]

    public init(devices: [Device]) { self.devices = devices }

    public static func parse(_ buffer: UnsafeBufferPointer<UInt8>, file: String = "/proc/net/dev") throws -> NetDev {
        var devices: [Device] = []
        var lineNumber = 0
        for line in LineIterator(buffer) {
            lineNumber += 1
            // Two header lines; both contain '|', no device line does.
            if lineNumber <= 2 || line.allSatisfy(\.isSpaceOrTab) { continue }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                throw ParseError(file: file, line: lineNumber, reason: "no ':' after the interface name")
            }
            guard let nameStart = line[..<colon].firstIndex(where: { !$0.isSpaceOrTab }) else {
                throw ParseError(file: file, line: lineNumber, reason: "empty interface name")
            }
            // Straight into the two halves: every pod's network namespace is read each cycle.
            var receive: [UInt64] = [], transmit: [UInt64] = []
            receive.reserveCapacity(8)
            transmit.reserveCapacity(8)
            var count = 0
            for field in FieldIterator(line[(colon + 1)...]) {
                guard let value = field.uint64 else {
                    throw ParseError(file: file, line: lineNumber, reason: "bad counter \"\(field.string)\"")
                }
                if count < 8 { receive.append(value) } else { transmit.append(value) }
                count += 1
            }
            guard count == 16 else {
                throw ParseError(file: file, line: lineNumber, reason: "\(count) counters, want 16")
            }
            devices.append(Device(name: line[nameStart..<colon].string, receive: receive, transmit: transmit))
        }
        return NetDev(devices: devices)
    }

    public static func parse(_ text: String) throws -> NetDev {
        try withBytes(of: text) { try parse($0) }
    }
}
