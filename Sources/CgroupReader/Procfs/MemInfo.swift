/// `/proc/meminfo`: every line, in the kernel's order and with the kernel's names.
public struct MemInfo: Sendable, Equatable {
    public struct Field: Sendable, Equatable {
        /// As the kernel writes it, e.g. `MemTotal`, `Active(anon)`, `HugePages_Total`.
        public var name: String
        public var value: UInt64
        /// True when the line ends in `kB`: the value is kibibytes, not a count.
        public var inKibibytes: Bool

        public init(name: String, value: UInt64, inKibibytes: Bool) {
            self.name = name
            self.value = value
            self.inKibibytes = inKibibytes
        }
    }

    public var fields: [Field]

    public init(fields: [Field]) { self.fields = fields }

    public subscript(name: String) -> Field? { fields.first { $0.name == name } }

    public static func parse(_ buffer: UnsafeBufferPointer<UInt8>, file: String = "/proc/meminfo") throws -> MemInfo {
        var fields: [Field] = []
        fields.reserveCapacity(64)
        var lineNumber = 0
        for line in LineIterator(buffer) {
            lineNumber += 1
            var parts = FieldIterator(line)
            guard let rawName = parts.next() else { continue }
            let name = rawName.trimmingTrailing(UInt8(ascii: ":"))
            guard name.count < rawName.count, !name.isEmpty else {
                throw ParseError(file: file, line: lineNumber, reason: "missing ':' after \"\(rawName.string)\"")
            }
            guard let valueField = parts.next(), let value = valueField.uint64 else {
                throw ParseError(file: file, line: lineNumber, reason: "bad value for \"\(name.string)\"")
            }
            var inKibibytes = false
            if let unit = parts.next() {
                guard unit.equals("kB") else {
                    throw ParseError(file: file, line: lineNumber, reason: "unknown unit \"\(unit.string)\"")
                }
                inKibibytes = true
            }
            fields.append(Field(name: name.string, value: value, inKibibytes: inKibibytes))
        }
        guard !fields.isEmpty else { throw ParseError(file: file, line: 0, reason: "empty") }
        return MemInfo(fields: fields)
    }

    public static func parse(_ text: String) throws -> MemInfo {
        try withBytes(of: text) { try parse($0) }
    }
}
