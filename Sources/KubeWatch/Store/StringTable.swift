#if canImport(Glibc)
import Glibc
#endif
import TelemetryModel

/// Strings many records repeat (namespaces, node names, images, image digests, owner
/// names, reasons, label values), stored once and referred to by a 32-bit ID, with a
/// count of the records that use each so that a string no record needs is freed again
/// (a rollout replaces every image digest and ReplicaSet name).
///
/// The strings' UTF-8 sits end to end in one buffer, so a render reads them in place
/// (`withUTF8`), with no String to retain and release; the buffer is compacted when
/// freed strings make up half of it (IDs do not change). Lookups go through an
/// open-addressing index of word-at-a-time hashes of those bytes: no String is kept as a key,
/// and looking one up costs a hash of its bytes and one comparison.
///
/// A class so that records are written against it in place; it is only ever used
/// under the lock of the store that owns it.
public final class StringTable {
    @usableFromInline
    struct Entry {
        @usableFromInline var offset: Int
        @usableFromInline var count: Int
        var references: Int
        var hash: UInt32
        /// No byte that text formats escape (`\\`, `"`, newline): a render copies the
        /// string as it is, without looking (decided once, when it is stored).
        @usableFromInline var plain: Bool
    }

    /// The entries by ID, in memory managed by hand, as `utf8` and `slots`: every
    /// access is under the owning store's lock, and a render reads an entry once per
    /// label of every sample, an upsert counts one more reference per label. Through
    /// an array each was a runtime call (exclusivity, or uniqueness on each write)
    /// costing more than the read. Unchecked exclusivity for the same reason: the
    /// runtime's check of a class's stored property cost more than the probe.
    @usableFromInline @exclusivity(unchecked) var entries: UnsafeMutablePointer<Entry>
    @usableFromInline @exclusivity(unchecked) var entryCount = 0
    private var entryCapacity = 64
    private var free: [UInt32] = []
    /// The strings' bytes: a render reads them without retaining an array per string.
    @usableFromInline @exclusivity(unchecked) var utf8: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private var used = 0
    private var capacity = 4096
    private var garbage = 0
    /// Slots of entry IDs + 1 (0: empty), probed linearly; a power of two, at most
    /// half full. Removal uses backward-shift deletion, so there are no tombstones.
    @exclusivity(unchecked) private var slots: UnsafeMutablePointer<UInt32>
    @exclusivity(unchecked) private var slotCount = 64
    @exclusivity(unchecked) private var live = 0

    init() {
        utf8 = .allocate(capacity: capacity)
        entries = .allocate(capacity: entryCapacity)
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: 0, count: slotCount)
    }

    deinit {
        utf8.deallocate()
        entries.deinitialize(count: entryCount)
        entries.deallocate()
        slots.deallocate()
    }

    /// The ID of `string`, counting one more reference to it.
    func retain(_ string: String) -> UInt32 {
        // In place when the string is contiguous (native ones are), without the copy
        // that `withUTF8` needs.
        if let id = string.utf8.withContiguousStorageIfAvailable({ retain(utf8: $0) }) { return id }
        var string = string
        return string.withUTF8 { retain(utf8: $0) }
    }

    /// The ID of the string with these UTF-8 bytes, counting one more reference.
    func retain(utf8 bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        let hash = Self.hash(bytes)
        let mask = slotCount - 1
        var slot = Int(hash) & mask
        while slots[slot] != 0 {
            let id = slots[slot] - 1
            let entry = entries[Int(id)]
            if entry.hash == hash && entry.count == bytes.count
                && (bytes.isEmpty || ByteWords.equal(utf8 + entry.offset, bytes.baseAddress!, count: bytes.count)) {
                entries[Int(id)].references += 1
                return id
            }
            slot = (slot + 1) & mask
        }
        reserve(bytes.count)
        if let base = bytes.baseAddress { (utf8 + used).update(from: base, count: bytes.count) }
        let entry = Entry(offset: used, count: bytes.count, references: 1, hash: hash,
                          plain: !ExpositionWriter.needsEscaping(bytes))
        used += bytes.count
        let id: UInt32
        if let reused = free.popLast() {
            id = reused
            entries[Int(id)] = entry
        } else {
            if entryCount == entryCapacity { growEntries() }
            id = UInt32(entryCount)
            (entries + entryCount).initialize(to: entry)
            entryCount += 1
        }
        slots[slot] = id + 1
        live += 1
        if live * 2 > slotCount { rehash(slotCount * 2) }
        return id
    }

    /// Drops one reference; the string is forgotten when none is left.
    public func release(_ id: UInt32) {
        let index = Int(id)
        guard index < entryCount, entries[index].references > 0 else { return }
        entries[index].references -= 1
        guard entries[index].references == 0 else { return }
        removeFromIndex(id)
        garbage += entries[index].count
        entries[index].count = 0
        free.append(id)
        if garbage > 1 << 16 && garbage * 2 > used { compact() }
    }

    /// Calls `body` with the string's UTF-8, in place (inlined into a render's reads).
    @inlinable
    public func withUTF8(_ id: UInt32, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        withUTF8(id) { utf8, _ in body(utf8) }
    }

    /// Calls `body` with the string's UTF-8, in place, and whether it is plain: holds
    /// no byte that text formats escape.
    @inlinable
    public func withUTF8(_ id: UInt32, _ body: (UnsafeBufferPointer<UInt8>, _ plain: Bool) -> Void) {
        let index = Int(id)
        guard index < entryCount else { return body(UnsafeBufferPointer(start: nil, count: 0), true) }
        let entry = entries[index]
        body(UnsafeBufferPointer(start: utf8 + entry.offset, count: entry.count), entry.plain)
    }

    public subscript(id: UInt32) -> String {
        var string = ""
        withUTF8(id) { string = String(decoding: $0, as: UTF8.self) }
        return string
    }

    /// Strings currently held (for tests and benchmarks).
    public var count: Int { live }

    // MARK: Internals

    /// Eight bytes at a time, the last word overlapping, then a final mix so that
    /// linear probing sees well-spread low bits (a byte-at-a-time FNV-1a over every
    /// label value was a tenth of recording an object's samples).
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        let multiplier: UInt64 = 0xFF51_AFD7_ED55_8CCD
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        if let base = bytes.baseAddress {
            let count = bytes.count
            if count >= 8 {
                var index = 0
                while count - index > 8 {
                    hash = (hash ^ ByteWords.load(base, index)) &* multiplier
                    hash ^= hash >> 32
                    index += 8
                }
                hash = (hash ^ ByteWords.load(base, count - 8)) &* multiplier
            } else {
                var word: UInt64 = 0
                for index in 0..<count { word |= UInt64(base[index]) << (8 * UInt64(index)) }
                hash = (hash ^ word) &* multiplier
            }
        }
        hash ^= hash >> 29
        hash &*= 0xC4CE_B9FE_1A85_EC53
        hash ^= hash >> 32
        return UInt32(truncatingIfNeeded: hash)
    }

    private func removeFromIndex(_ id: UInt32) {
        let mask = slotCount - 1
        var slot = Int(entries[Int(id)].hash) & mask
        while slots[slot] != id + 1 {
            guard slots[slot] != 0 else { return }
            slot = (slot + 1) & mask
        }
        slots[slot] = 0
        live -= 1
        // Backward shift: move later members of the run into the hole if their home
        // slot is at or before it.
        var hole = slot
        var next = (slot + 1) & mask
        while slots[next] != 0 {
            let home = Int(entries[Int(slots[next] - 1)].hash) & mask
            if (next - home) & mask >= (next - hole) & mask {
                slots[hole] = slots[next]
                slots[next] = 0
                hole = next
            }
            next = (next + 1) & mask
        }
    }

    private func rehash(_ size: Int) {
        let fresh = UnsafeMutablePointer<UInt32>.allocate(capacity: size)
        fresh.initialize(repeating: 0, count: size)
        let mask = size - 1
        for old in 0..<slotCount where slots[old] != 0 {
            var index = Int(entries[Int(slots[old] - 1)].hash) & mask
            while fresh[index] != 0 { index = (index + 1) & mask }
            fresh[index] = slots[old]
        }
        slots.deallocate()
        slots = fresh
        slotCount = size
    }

    private func growEntries() {
        let grown = entryCapacity * 2
        let fresh = UnsafeMutablePointer<Entry>.allocate(capacity: grown)
        fresh.moveInitialize(from: entries, count: entryCount)
        entries.deallocate()
        entries = fresh
        entryCapacity = grown
    }

    private func reserve(_ count: Int) {
        guard used + count > capacity else { return }
        var grown = capacity * 2
        while used + count > grown { grown *= 2 }
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        fresh.update(from: utf8, count: used)
        utf8.deallocate()
        utf8 = fresh
        capacity = grown
    }

    private func compact() {
        let size = max(4096, used - garbage)
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        var offset = 0
        for index in 0..<entryCount where entries[index].references > 0 {
            let entry = entries[index]
            (fresh + offset).update(from: utf8 + entry.offset, count: entry.count)
            entries[index].offset = offset
            offset += entry.count
        }
        utf8.deallocate()
        utf8 = fresh
        used = offset
        capacity = size
        garbage = 0
    }
}
