/// Strings many records repeat (namespaces, node names, images, image digests, owner
/// names, reasons, label values), stored once and referred to by a 32-bit ID, with a
/// count of the records that use each so that a string no record needs is freed again
/// (a rollout replaces every image digest and ReplicaSet name).
///
/// The strings' UTF-8 sits end to end in one buffer, so a render reads them in place
/// (`withUTF8`), with no String to retain and release; the buffer is compacted when
/// freed strings make up half of it (IDs do not change).
///
/// A class so that records are written against it in place; it is only ever used
/// under the lock of the store that owns it.
public final class StringTable {
    private struct Entry {
        var offset: Int
        var count: Int
        var references: Int
    }

    private var ids: [String: UInt32] = [:]
    private var entries: [Entry] = []
    private var free: [UInt32] = []
    /// The strings' bytes, managed by hand: a render reads them without retaining
    /// an array per string.
    private var utf8: UnsafeMutablePointer<UInt8>
    private var used = 0
    private var capacity = 4096
    private var garbage = 0

    init() {
        utf8 = .allocate(capacity: capacity)
    }

    deinit {
        utf8.deallocate()
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

    /// The ID of `string`, counting one more reference to it.
    func retain(_ string: String) -> UInt32 {
        if let id = ids[string] {
            entries[Int(id)].references += 1
            return id
        }
        var string = string
        let entry = string.withUTF8 { bytes in
            reserve(bytes.count)
            if let base = bytes.baseAddress { (utf8 + used).update(from: base, count: bytes.count) }
            defer { used += bytes.count }
            return Entry(offset: used, count: bytes.count, references: 1)
        }
        let id: UInt32
        if let reused = free.popLast() {
            id = reused
            entries[Int(id)] = entry
        } else {
            id = UInt32(entries.count)
            entries.append(entry)
        }
        ids[string] = id
        return id
    }

    /// Drops one reference; the string is forgotten when none is left.
    public func release(_ id: UInt32) {
        let index = Int(id)
        guard index < entries.count, entries[index].references > 0 else { return }
        entries[index].references -= 1
        guard entries[index].references == 0 else { return }
        ids.removeValue(forKey: self[id])
        garbage += entries[index].count
        entries[index].count = 0
        free.append(id)
        if garbage > 1 << 16 && garbage * 2 > used { compact() }
    }

    /// Calls `body` with the string's UTF-8, in place.
    public func withUTF8(_ id: UInt32, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        let index = Int(id)
        guard index < entries.count else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
        let entry = entries[index]
        body(UnsafeBufferPointer(start: utf8 + entry.offset, count: entry.count))
    }

    public subscript(id: UInt32) -> String {
        var string = ""
        withUTF8(id) { string = String(decoding: $0, as: UTF8.self) }
        return string
    }

    /// Strings currently held (for tests and benchmarks).
    public var count: Int { ids.count }

    private func compact() {
        let size = max(4096, used - garbage)
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        var offset = 0
        for index in entries.indices where entries[index].references > 0 {
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
