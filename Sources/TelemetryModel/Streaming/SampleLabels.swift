/// The labels of the sample being written, as a renderer hands them to a sink: names,
/// and values as UTF-8 bytes in one buffer. A renderer keeps one and refills it for
/// every sample, so writing a sample allocates nothing; `names` is usually one array
/// shared by every sample of a family.
///
/// The values live in storage managed by hand (a renderer appends millions of short
/// values per scrape, where an array's per-append checks would cost more than the
/// copying); a copy of a `SampleLabels` gets its own storage before it is changed.
///
/// Values must be valid UTF-8: renderers fill them from Swift strings or from bytes
/// that were Swift strings when stored.
public struct SampleLabels {
    public var names: [String] = []
    private var storage: Storage

    private final class Storage {
        var bytes: UnsafeMutablePointer<UInt8>
        var byteCount = 0
        var byteCapacity: Int
        /// End offset in `bytes` of each value.
        var ends: UnsafeMutablePointer<Int>
        var endCount = 0
        var endCapacity: Int

        init(byteCapacity: Int = 256, endCapacity: Int = 16) {
            self.byteCapacity = max(byteCapacity, 1)
            self.endCapacity = max(endCapacity, 1)
            bytes = .allocate(capacity: self.byteCapacity)
            ends = .allocate(capacity: self.endCapacity)
        }

        init(copying other: Storage) {
            byteCapacity = other.byteCapacity
            endCapacity = other.endCapacity
            bytes = .allocate(capacity: byteCapacity)
            ends = .allocate(capacity: endCapacity)
            bytes.update(from: other.bytes, count: other.byteCount)
            ends.update(from: other.ends, count: other.endCount)
            byteCount = other.byteCount
            endCount = other.endCount
        }

        deinit {
            bytes.deallocate()
            ends.deallocate()
        }

        @inline(__always)
        func append(_ value: UnsafeBufferPointer<UInt8>) {
            if byteCount + value.count > byteCapacity { growBytes(byteCount + value.count) }
            if endCount == endCapacity { growEnds() }
            if let base = value.baseAddress { (bytes + byteCount).update(from: base, count: value.count) }
            byteCount += value.count
            ends[endCount] = byteCount
            endCount += 1
        }

        private func growBytes(_ needed: Int) {
            var grown = byteCapacity * 2
            while grown < needed { grown *= 2 }
            let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
            fresh.update(from: bytes, count: byteCount)
            bytes.deallocate()
            bytes = fresh
            byteCapacity = grown
        }

        private func growEnds() {
            let fresh = UnsafeMutablePointer<Int>.allocate(capacity: endCapacity * 2)
            fresh.update(from: ends, count: endCount)
            ends.deallocate()
            ends = fresh
            endCapacity *= 2
        }
    }

    public init() {
        storage = Storage()
    }

    /// The labels of `labels`, in buffers of exactly their size: for label sets kept
    /// in this form between renders (a container row's), each written by every render
    /// without being copied in first.
    public init(_ labels: LabelSet) {
        storage = Storage(byteCapacity: labels.values.reduce(0) { $0 + $1.utf8.count }, endCapacity: labels.count)
        fill(from: labels)
    }

    private mutating func unique() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(copying: storage) }
        return storage
    }

    /// Values appended so far (names may be set before or after them).
    public var valueCount: Int { storage.endCount }

    /// Forgets the values, keeping the buffers; `names` is left as it is.
    public mutating func removeValues() {
        let storage = unique()
        storage.byteCount = 0
        storage.endCount = 0
    }

    /// Makes these the labels of `labels`, keeping the buffers.
    public mutating func fill(from labels: LabelSet) {
        removeValues()
        names = labels.names
        for value in labels.values { appendValue(value) }
    }

    /// Drops values after the first `count` (a renderer's identity labels stay).
    public mutating func truncateValues(to count: Int) {
        let storage = unique()
        guard count < storage.endCount else { return }
        storage.byteCount = count == 0 ? 0 : storage.ends[count - 1]
        storage.endCount = max(0, count)
    }

    public mutating func appendValue(_ value: String) {
        var value = value
        let storage = unique()
        value.withUTF8 { storage.append($0) }
    }

    public mutating func appendValue(_ bytes: UnsafeBufferPointer<UInt8>) {
        unique().append(bytes)
    }

    /// The bytes of value `index`.
    public func value(at index: Int) -> ArraySlice<UInt8> {
        let start = index == 0 ? 0 : storage.ends[index - 1]
        return ArraySlice(UnsafeBufferPointer(start: storage.bytes + start, count: storage.ends[index] - start))
    }

    public func valueString(at index: Int) -> String {
        String(decoding: value(at: index), as: UTF8.self)
    }

    /// Calls `body` with all values' bytes and the end offset of each value: the
    /// cheapest way for a writer to go through them.
    public func withValues(_ body: (_ bytes: UnsafeBufferPointer<UInt8>, _ ends: UnsafeBufferPointer<Int>) -> Void) {
        body(UnsafeBufferPointer(start: storage.bytes, count: storage.byteCount),
             UnsafeBufferPointer(start: storage.ends, count: storage.endCount))
    }

    /// Calls `body` with each name and the bytes of its value, in order.
    public func forEach(_ body: (String, UnsafeBufferPointer<UInt8>) -> Void) {
        var start = 0
        for index in 0..<min(names.count, storage.endCount) {
            let end = storage.ends[index]
            body(names[index], UnsafeBufferPointer(start: storage.bytes + start, count: end - start))
            start = end
        }
    }

    /// A label set with the same names and values (for tests and collecting sinks).
    public var labelSet: LabelSet {
        let count = min(names.count, storage.endCount)
        return LabelSet(names: Array(names.prefix(count)), values: (0..<count).map(valueString(at:)))
    }
}
