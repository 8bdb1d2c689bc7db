/// Strings many records repeat (namespaces, node names, images, image digests, owner
/// names, reasons, label values), stored once and referred to by a 32-bit ID, with a
/// count of the records that use each so that a string no record needs is freed again
/// (a rollout replaces every image digest and ReplicaSet name).
///
/// A class so that records are written against it in place; it is only ever used
/// under the lock of the store that owns it.
public final class StringTable {
    private var ids: [String: UInt32] = [:]
    private var entries: [(string: String, references: Int)] = []
    private var free: [UInt32] = []

    init() {}

    /// The ID of `string`, counting one more reference to it.
    func retain(_ string: String) -> UInt32 {
        if let id = ids[string] {
            entries[Int(id)].references += 1
            return id
        }
        let id: UInt32
        if let reused = free.popLast() {
            id = reused
            entries[Int(id)] = (string, 1)
        } else {
            id = UInt32(entries.count)
            entries.append((string, 1))
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
        ids.removeValue(forKey: entries[index].string)
        entries[index] = ("", 0)
        free.append(id)
    }

    public subscript(id: UInt32) -> String {
        let index = Int(id)
        return index < entries.count ? entries[index].string : ""
    }

    /// Strings currently held (for tests and benchmarks).
    public var count: Int { ids.count }
}
