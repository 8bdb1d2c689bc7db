import Synchronization

/// The current objects of one resource, by UID, as the reflector keeps them: the
/// last state seen for each, replaced on every event, reconciled on every relist.
///
/// Objects are held as compact records (`CompactRecordCodable`) against a string
/// table of the store's own, and decoded again when read. Records live end to end in
/// one arena rather than one allocation each: at 100 000 pods, per-object heap blocks
/// interleaved with decoding garbage cost more than the records themselves. A
/// replaced or removed record leaves a hole; the arena is compacted once holes make
/// up half of it.
public final class ObjectStore<Object: APIObject & CompactRecordCodable>: Sendable {
    private struct Slot {
        var offset: Int
        var length: Int
    }

    private struct State {
        var arena: [UInt8] = []
        var slots: [StoreKey: Slot] = [:]
        /// Bytes of the arena no slot points at any more.
        var garbage = 0
        /// Alias → key, for objects that have one.
        var aliases: [String: StoreKey] = [:]
        let table = StringTable()

        func record(_ slot: Slot) -> ArraySlice<UInt8> {
            arena[slot.offset..<slot.offset + slot.length]
        }

        mutating func removeRecord(_ key: StoreKey) {
            guard let slot = slots.removeValue(forKey: key) else { return }
            forget(slot)
        }

        /// Releases a record's table references (and its alias) and counts its bytes as garbage.
        mutating func forget(_ slot: Slot) {
            if let alias = ObjectStore.release(record(slot), from: table, decoding: !aliases.isEmpty)?.alias {
                aliases.removeValue(forKey: alias)
            }
            garbage += slot.length
            if garbage > 1 << 16 && garbage * 2 > arena.count { compact() }
        }

        /// Copies the live records into a new arena, in place of the old.
        mutating func compact() {
            var fresh: [UInt8] = []
            fresh.reserveCapacity(arena.count - garbage)
            for (key, slot) in slots {
                slots[key] = Slot(offset: fresh.count, length: slot.length)
                fresh.append(contentsOf: record(slot))
            }
            arena = fresh
            garbage = 0
        }
    }

    private let state = Mutex(State())

    public init() {}

    public var count: Int { state.withLock { $0.slots.count } }

    /// Strings the records share (for tests and the benchmark).
    var sharedStrings: Int { state.withLock { $0.table.count } }

    /// Arena bytes, and how many of them are holes (for tests).
    var arenaBytes: (total: Int, garbage: Int) { state.withLock { ($0.arena.count, $0.garbage) } }

    public func upsert(_ key: String, _ object: Object) {
        let storeKey = StoreKey(key)
        state.withLock { state in
            var writer = CompactWriter(table: state.table)
            object.encode(to: &writer)
            if let old = state.slots.removeValue(forKey: storeKey) { state.forget(old) }
            state.slots[storeKey] = Slot(offset: state.arena.count, length: writer.bytes.count)
            state.arena.append(contentsOf: writer.bytes)
            if let alias = object.alias { state.aliases[alias] = storeKey }
        }
    }

    public func remove(_ key: String) {
        let storeKey = StoreKey(key)
        state.withLock { $0.removeRecord(storeKey) }
    }

    /// After a full relist: forgets every object the list did not contain (deleted
    /// while no watch was open). Returns how many were removed.
    @discardableResult
    func retainOnly(_ keys: Set<String>) -> Int {
        let kept = Set(keys.map(StoreKey.init))
        return state.withLock { state in
            let gone = state.slots.keys.filter { !kept.contains($0) }
            for key in gone { state.removeRecord(key) }
            return gone.count
        }
    }

    /// Calls `body` with each object, decoded one at a time under the store's lock:
    /// rendering reads 100 000 pods without holding them all decoded.
    public func forEachObject(_ body: (Object) throws -> Void) rethrows {
        try state.withLock { state in
            for slot in state.slots.values {
                var reader = CompactReader(bytes: state.record(slot), table: state.table)
                try body(Object(from: &reader))
            }
        }
    }

    /// The object stored under `key`, or whose alias is `key`.
    public func object(forKey key: String) -> Object? {
        let storeKey = StoreKey(key)
        return state.withLock { state in
            guard let slot = state.slots[storeKey] ?? state.aliases[key].flatMap({ state.slots[$0] }) else { return nil }
            var reader = CompactReader(bytes: state.record(slot), table: state.table)
            return Object(from: &reader)
        }
    }

    /// Gives back the table references a record holds; with `decoding`, returns the
    /// record as it was (for its alias; only worth it while some object has one).
    fileprivate static func release(_ bytes: ArraySlice<UInt8>, from table: StringTable, decoding: Bool) -> Object? {
        var object: Object?
        if decoding {
            var decoded = CompactReader(bytes: bytes, table: table)
            object = Object(from: &decoded)
        }
        var reader = CompactReader(bytes: bytes, table: table, collectingIDs: true)
        _ = Object(from: &reader)
        for id in reader.sharedIDs { table.release(id) }
        return object
    }
}
