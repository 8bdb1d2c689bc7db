import Synchronization

/// The current objects of one resource, by UID, as the reflector keeps them: the
/// last state seen for each, replaced on every event, reconciled on every relist.
public final class ObjectStore<Object: Sendable>: Sendable {
    private let objects = Mutex<[String: Object]>([:])

    public init() {}

    public var count: Int { objects.withLock { $0.count } }

    func upsert(_ key: String, _ object: Object) {
        objects.withLock { $0[key] = object }
    }

    func remove(_ key: String) {
        _ = objects.withLock { $0.removeValue(forKey: key) }
    }

    /// After a full relist: forgets every object the list did not contain (deleted
    /// while no watch was open). Returns how many were removed.
    @discardableResult
    func retainOnly(_ keys: Set<String>) -> Int {
        objects.withLock { objects in
            let before = objects.count
            objects = objects.filter { keys.contains($0.key) }
            return before - objects.count
        }
    }

    /// Runs `body` over the objects under the store's lock: rendering reads them in
    /// place instead of copying 100 000 of them.
    public func withObjects<Result>(_ body: (Dictionary<String, Object>.Values) throws -> Result) rethrows -> Result {
        try objects.withLock { try body($0.values) }
    }

    public func object(forKey key: String) -> Object? {
        objects.withLock { $0[key] }
    }
}
