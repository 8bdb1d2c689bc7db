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
        /// Counts changes, so that readers can tell whether anything changed since they last looked.
        var generation: UInt64 = 0
        /// Bytes of the arena no slot points at any more.
        var garbage = 0
        /// Alias → key and key → alias, for the few objects that have one (static pods).
        var aliases: [String: StoreKey] = [:]
        var aliasOf: [StoreKey: String] = [:]
        let table = StringTable()

        func record(_ slot: Slot) -> ArraySlice<UInt8> {
            arena[slot.offset..<slot.offset + slot.length]
        }

        /// Releases the record's table references and alias; its bytes become garbage.
        mutating func removeRecord(_ key: StoreKey) {
            guard let slot = slots.removeValue(forKey: key) else { return }
            generation += 1
            ObjectStore.release(record(slot), from: table)
            if let alias = aliasOf.removeValue(forKey: key), aliases[alias] == key { aliases.removeValue(forKey: alias) }
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

    /// Changes with every upsert and removal.
    public var generation: UInt64 { state.withLock { $0.generation } }

    /// Strings the records share (for tests and the benchmark).
    var sharedStrings: Int { state.withLock { $0.table.count } }

    /// Arena bytes, and how many of them are holes (for tests).
    var arenaBytes: (total: Int, garbage: Int) { state.withLock { ($0.arena.count, $0.garbage) } }

    public func upsert(_ key: String, _ object: Object) {
        let storeKey = StoreKey(key)
        state.withLock { state in
            var writer = CompactWriter(table: state.table)
            object.encode(to: &writer)
            state.removeRecord(storeKey)
            state.generation += 1
            state.slots[storeKey] = Slot(offset: state.arena.count, length: writer.bytes.count)
            state.arena.append(contentsOf: writer.bytes)
            if let alias = object.alias {
                state.aliases[alias] = storeKey
                state.aliasOf[storeKey] = alias
            }
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

    /// Gives back the table references a record holds.
    fileprivate static func release(_ bytes: ArraySlice<UInt8>, from table: StringTable) {
        var reader = CompactReader(bytes: bytes, table: table, collectingIDs: true)
        _ = Object(from: &reader)
        for id in reader.sharedIDs { table.release(id) }
    }
}
