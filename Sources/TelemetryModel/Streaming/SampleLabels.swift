/// The labels of the sample being written, as a renderer hands them to a sink: names,
/// and values as UTF-8 bytes in one buffer. A renderer keeps one and refills it for
/// every sample, so writing a sample allocates nothing; `names` is usually one array
/// shared by every sample of a family.
///
/// Values must be valid UTF-8: renderers fill them from Swift strings or from bytes
/// that were Swift strings when stored.
public struct SampleLabels {
    public var names: [String] = []
    public private(set) var utf8: [UInt8] = []
    /// End offset in `utf8` of each value.
    private var ends: [Int] = []

    public init() {
        utf8.reserveCapacity(256)
        ends.reserveCapacity(16)
    }

    public init(_ labels: LabelSet) {
        self.init()
        names = labels.names
        for value in labels.values { appendValue(value) }
    }

    /// Values appended so far (names may be set before or after them).
    public var valueCount: Int { ends.count }

    /// Forgets the values, keeping the buffers; `names` is left as it is.
    public mutating func removeValues() {
        utf8.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
    }

    /// Drops values after the first `count` (a renderer's identity labels stay).
    public mutating func truncateValues(to count: Int) {
        guard count < ends.count else { return }
        let end = count == 0 ? 0 : ends[count - 1]
        utf8.removeSubrange(end...)
        ends.removeSubrange(count...)
    }

    public mutating func appendValue(_ value: String) {
        var value = value
        value.withUTF8 { utf8.append(contentsOf: $0) }
        ends.append(utf8.count)
    }

    public mutating func appendValue(_ bytes: UnsafeBufferPointer<UInt8>) {
        utf8.append(contentsOf: bytes)
        ends.append(utf8.count)
    }

    /// Appends a value written in place by `write`, which appends its UTF-8 bytes.
    public mutating func appendValue(writing write: (inout [UInt8]) -> Void) {
        write(&utf8)
        ends.append(utf8.count)
    }

    /// The bytes of value `index`.
    public func value(at index: Int) -> ArraySlice<UInt8> {
        utf8[(index == 0 ? 0 : ends[index - 1])..<ends[index]]
    }

    public func valueString(at index: Int) -> String {
        String(decoding: value(at: index), as: UTF8.self)
    }

    /// Calls `body` with each name and the bytes of its value, in order.
    public func forEach(_ body: (String, UnsafeBufferPointer<UInt8>) -> Void) {
        utf8.withUnsafeBufferPointer { bytes in
            var start = 0
            for index in 0..<min(names.count, ends.count) {
                let end = ends[index]
                body(names[index], UnsafeBufferPointer(rebasing: bytes[start..<end]))
                start = end
            }
        }
    }

    /// A label set with the same names and values (for tests and collecting sinks).
    public var labelSet: LabelSet {
        LabelSet(names: Array(names.prefix(ends.count)), values: (0..<min(names.count, ends.count)).map(valueString(at:)))
    }
}
