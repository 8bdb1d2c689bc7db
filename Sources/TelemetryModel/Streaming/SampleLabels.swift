/// The labels of the sample being written, as a renderer hands them to a sink: names,
/// and values as UTF-8 bytes. A renderer keeps one and refills it for every sample,
/// so writing a sample allocates nothing; `names` is usually one array shared by
/// every sample of a family.
///
/// A value is either copied into the labels' own buffer or borrowed: a renderer whose
/// bytes stay put while it writes (a store's record, read under its lock) hands over
/// where they are instead of copying them (`appendValue(borrowing:plain:)`); a sink
/// reads values only during its `sample` call and keeps none. The buffers are managed
/// by hand (a renderer appends millions of short values per scrape, where an array's
/// per-append checks would cost more than the copying); a copy of a `SampleLabels`
/// gets its own storage before it is changed, but a borrowed value in it is still the
/// renderer's bytes.
///
/// Values must be valid UTF-8: renderers fill them from Swift strings or from bytes
/// that were Swift strings when stored.
///
/// Appending and truncating values are `@inlinable`: renderers in other modules
/// (kube-state's records) call them per label of every sample.
public struct SampleLabels {
    public var names: [String] = []
    @usableFromInline var storage: Storage

    /// Unchecked exclusivity: visible to other modules' inlined appends, these would
    /// otherwise be checked at run time on every access (a third of a scrape); each
    /// access is a plain load or store in a method of this file, none overlaps another,
    /// and a storage is only changed once `unique()` made it this value's own.
    @usableFromInline
    final class Storage {
        /// Copied values' bytes, end to end.
        @usableFromInline @exclusivity(unchecked) var bytes: UnsafeMutablePointer<UInt8>
        @usableFromInline @exclusivity(unchecked) var byteCount = 0
        @usableFromInline @exclusivity(unchecked) var byteCapacity: Int
        /// Where each value's bytes are: in `bytes` (copied) or the renderer's (borrowed).
        @usableFromInline @exclusivity(unchecked) var values: UnsafeMutablePointer<UnsafeBufferPointer<UInt8>>
        /// `byteCount` once each value was appended (what truncating goes back to).
        @usableFromInline @exclusivity(unchecked) var byteEnds: UnsafeMutablePointer<Int>
        @usableFromInline @exclusivity(unchecked) var count = 0
        @usableFromInline @exclusivity(unchecked) var valueCapacity: Int
        /// Bit `i` set: value `i` (one of the first 64) is known plain, holding no
        /// byte that text formats escape, so a writer copies it without looking.
        @usableFromInline @exclusivity(unchecked) var plain: UInt64 = 0

        init(byteCapacity: Int = 256, valueCapacity: Int = 16) {
            self.byteCapacity = max(byteCapacity, 1)
            self.valueCapacity = max(valueCapacity, 1)
            bytes = .allocate(capacity: self.byteCapacity)
            values = .allocate(capacity: self.valueCapacity)
            byteEnds = .allocate(capacity: self.valueCapacity)
        }

        @usableFromInline
        init(copying other: Storage) {
            byteCapacity = other.byteCapacity
            valueCapacity = other.valueCapacity
            bytes = .allocate(capacity: byteCapacity)
            values = .allocate(capacity: valueCapacity)
            byteEnds = .allocate(capacity: valueCapacity)
            bytes.update(from: other.bytes, count: other.byteCount)
            values.update(from: other.values, count: other.count)
            byteEnds.update(from: other.byteEnds, count: other.count)
            byteCount = other.byteCount
            count = other.count
            plain = other.plain
            rebase(from: UnsafePointer(other.bytes), byteCount: other.byteCount)
        }

        deinit {
            bytes.deallocate()
            values.deallocate()
            byteEnds.deallocate()
        }

        /// Points copied values, which were in `old`, at the same bytes in `bytes`.
        private func rebase(from old: UnsafePointer<UInt8>, byteCount: Int) {
            for index in 0..<count {
                guard let start = values[index].baseAddress, start >= old, start < old + byteCount else { continue }
                values[index] = UnsafeBufferPointer(start: UnsafePointer(bytes) + (start - old), count: values[index].count)
            }
        }

        @inlinable @inline(__always)
        func append(borrowing value: UnsafeBufferPointer<UInt8>) {
            if count == valueCapacity { growValues() }
            values[count] = value
            byteEnds[count] = byteCount
            count += 1
        }

        /// Appends a value of at most `maximum` bytes written in place by `write`,
        /// which returns how many it wrote.
        @inlinable @inline(__always)
        func append(writing maximum: Int, _ write: (UnsafeMutablePointer<UInt8>) -> Int) {
            if byteCount + maximum > byteCapacity { growBytes(byteCount + maximum) }
            if count == valueCapacity { growValues() }
            let start = bytes + byteCount
            let written = min(max(0, write(start)), maximum)
            values[count] = UnsafeBufferPointer(start: start, count: written)
            byteCount += written
            byteEnds[count] = byteCount
            count += 1
        }

        @inlinable @inline(__always)
        func append(_ value: UnsafeBufferPointer<UInt8>) {
            append(writing: value.count) { target in
                if let base = value.baseAddress { target.update(from: base, count: value.count) }
                return value.count
            }
        }

        @usableFromInline
        func growBytes(_ needed: Int) {
            var grown = byteCapacity * 2
            while grown < needed { grown *= 2 }
            let old = bytes
            let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
            fresh.update(from: old, count: byteCount)
            bytes = fresh
            byteCapacity = grown
            rebase(from: UnsafePointer(old), byteCount: byteCount)
            old.deallocate()
        }

        @usableFromInline
        func growValues() {
            let grown = valueCapacity * 2
            let freshValues = UnsafeMutablePointer<UnsafeBufferPointer<UInt8>>.allocate(capacity: grown)
            freshValues.update(from: values, count: count)
            values.deallocate()
            values = freshValues
            let freshEnds = UnsafeMutablePointer<Int>.allocate(capacity: grown)
            freshEnds.update(from: byteEnds, count: count)
            byteEnds.deallocate()
            byteEnds = freshEnds
            valueCapacity = grown
        }
    }

    public init() {
        storage = Storage()
    }

    /// The labels of `labels`, in buffers of exactly their size: for label sets kept
    /// in this form between renders (a container row's), each written by every render
    /// without being copied in first. Each value is looked at here, once, for bytes to
    /// escape, rather than by every render.
    public init(_ labels: LabelSet) {
        storage = Storage(byteCapacity: labels.values.reduce(0) { $0 + $1.utf8.count }, valueCapacity: labels.count)
        names = labels.names
        for value in labels.values {
            var value = value
            value.withUTF8 { appendValue($0, plain: !ExpositionWriter.needsEscaping($0)) }
        }
    }

    @inlinable
    mutating func unique() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(copying: storage) }
        return storage
    }

    /// Values appended so far (names may be set before or after them).
    public var valueCount: Int { storage.count }

    /// Forgets the values, keeping the buffers; `names` is left as it is.
    @inlinable
    public mutating func removeValues() {
        let storage = unique()
        storage.byteCount = 0
        storage.count = 0
        storage.plain = 0
    }

    /// Makes these the labels of `labels`, keeping the buffers.
    public mutating func fill(from labels: LabelSet) {
        removeValues()
        names = labels.names
        for value in labels.values { appendValue(value) }
    }

    /// Drops values after the first `count` (a renderer's identity labels stay).
    @inlinable
    public mutating func truncateValues(to count: Int) {
        let storage = unique()
        guard count < storage.count else { return }
        storage.byteCount = count <= 0 ? 0 : storage.byteEnds[count - 1]
        storage.count = max(0, count)
        storage.plain &= count >= 64 ? ~0 : (1 << UInt64(max(0, count))) &- 1
    }

    public mutating func appendValue(_ value: String) {
        var value = value
        let storage = unique()
        value.withUTF8 { storage.append($0) }
    }

    @inlinable
    public mutating func appendValue(_ bytes: UnsafeBufferPointer<UInt8>) {
        unique().append(bytes)
    }

    /// Appends a copy of a value whose renderer knows whether it is plain (no `\`,
    /// `"` or newline in it); a value not known plain is looked at by the writer.
    @inlinable
    public mutating func appendValue(_ bytes: UnsafeBufferPointer<UInt8>, plain: Bool) {
        let storage = unique()
        markPlain(plain, storage)
        storage.append(bytes)
    }

    /// Appends a value without copying it: `bytes` must stay valid and unchanged for as
    /// long as the value is among these labels (until it is truncated away or the
    /// values are removed) and any copy of the labels is read.
    @inlinable
    public mutating func appendValue(borrowing bytes: UnsafeBufferPointer<UInt8>, plain: Bool) {
        let storage = unique()
        markPlain(plain, storage)
        storage.append(borrowing: bytes)
    }

    /// Appends a value of at most `maximum` bytes that `write` puts straight into the
    /// labels' buffer (a packed identifier spelled out), returning how many it wrote.
    @inlinable
    public mutating func appendValue(writing maximum: Int, plain: Bool, _ write: (UnsafeMutablePointer<UInt8>) -> Int) {
        let storage = unique()
        markPlain(plain, storage)
        storage.append(writing: maximum, write)
    }

    @inlinable @inline(__always)
    func markPlain(_ plain: Bool, _ storage: Storage) {
        if plain && storage.count < 64 { storage.plain |= 1 << UInt64(storage.count) }
    }

    /// The bytes of value `index`.
    public func value(at index: Int) -> ArraySlice<UInt8> {
        precondition(index >= 0 && index < storage.count, "label value index out of range")
        return ArraySlice(storage.values[index])
    }

    public func valueString(at index: Int) -> String {
        String(decoding: value(at: index), as: UTF8.self)
    }

    /// Calls `body` with where each value's bytes are and which of the first 64 are
    /// known plain (bit `i` for value `i`): the cheapest way for a writer to go
    /// through them.
    public func withValues(_ body: (_ values: UnsafeBufferPointer<UnsafeBufferPointer<UInt8>>, _ plain: UInt64) -> Void) {
        body(UnsafeBufferPointer(start: storage.values, count: storage.count), storage.plain)
    }

    /// Calls `body` with each name and the bytes of its value, in order.
    public func forEach(_ body: (String, UnsafeBufferPointer<UInt8>) -> Void) {
        for index in 0..<min(names.count, storage.count) {
            body(names[index], storage.values[index])
        }
    }

    /// A label set with the same names and values (for tests and collecting sinks).
    public var labelSet: LabelSet {
        let count = min(names.count, storage.count)
        return LabelSet(names: Array(names.prefix(count)), values: (0..<count).map(valueString(at:)))
    }
}
