import Synchronization

/// The current objects of one resource, by UID, as the reflector keeps them: the
/// last state seen for each, replaced on every event, reconciled on every relist.
///
/// Objects are held as compact records (`CompactRecordCodable`) against a string
/// table of the store's own, and decoded again when read: a pod costs a few hundred
/// bytes at rest instead of several kilobytes.
public final class ObjectStore<Object: APIObject & CompactRecordCodable>: Sendable {
    private struct State {
        var records: [String: [UInt8]] = [:]
        /// Alias → key, for objects that have one.
        var aliases: [String: String] = [:]
        let table = StringTable()

        mutating func removeRecord(_ key: String) {
            guard let old = records.removeValue(forKey: key) else { return }
            if let alias = ObjectStore.release(old, from: table, decoding: !aliases.isEmpty)?.alias { aliases.removeValue(forKey: alias) }
        }
    }

    private let state = Mutex(State())

    public init() {}

    public var count: Int { state.withLock { $0.records.count } }

    /// Strings the records share (for the benchmark's accounting).
    var sharedStrings: Int { state.withLock { $0.table.count } }

    public func upsert(_ key: String, _ object: Object) {
        state.withLock { state in
            var writer = CompactWriter(table: state.table)
            object.encode(to: &writer)
            // An exact-size copy: the writer's buffer has room to spare, which would stay allocated.
            let record = Array(writer.bytes)
            if let old = state.records.updateValue(record, forKey: key),
               let alias = Self.release(old, from: state.table, decoding: !state.aliases.isEmpty)?.alias {
                state.aliases.removeValue(forKey: alias)
            }
            if let alias = object.alias { state.aliases[alias] = key }
        }
    }

    public func remove(_ key: String) {
        state.withLock { $0.removeRecord(key) }
    }

    /// After a full relist: forgets every object the list did not contain (deleted
    /// while no watch was open). Returns how many were removed.
    @discardableResult
    func retainOnly(_ keys: Set<String>) -> Int {
        state.withLock { state in
            let gone = state.records.keys.filter { !keys.contains($0) }
            for key in gone { state.removeRecord(key) }
            return gone.count
        }
    }

    /// Calls `body` with each object, decoded one at a time under the store's lock:
    /// rendering reads 100 000 pods without holding them all decoded.
    public func forEachObject(_ body: (Object) throws -> Void) rethrows {
        try state.withLock { state in
            for bytes in state.records.values {
                var reader = CompactReader(bytes: bytes, table: state.table)
                try body(Object(from: &reader))
            }
        }
    }

    /// The object stored under `key`, or whose alias is `key`.
    public func object(forKey key: String) -> Object? {
        state.withLock { state in
            guard let bytes = state.records[key] ?? state.aliases[key].flatMap({ state.records[$0] }) else { return nil }
            var reader = CompactReader(bytes: bytes, table: state.table)
            return Object(from: &reader)
        }
    }

    /// Gives back the table references a record holds; with `decoding`, returns the
    /// record as it was (for its alias; only worth it while some object has one).
    fileprivate static func release(_ bytes: [UInt8], from table: StringTable, decoding: Bool) -> Object? {
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
