/// How kube-state is split across replicas (`shard` / `total_shards`), once the
/// agent has resolved `auto` into facts: this replica's ordinal, and either a fixed
/// count or the StatefulSet whose `spec.replicas` is the count.
public struct ShardConfiguration: Sendable, Equatable {
    public enum Total: Sendable, Equatable {
        case fixed(Int)
        /// Followed as it changes; nothing is served until it is first read.
        case statefulSet(namespace: String, name: String)
    }

    public var shard: Int
    public var total: Total

    public init(shard: Int, total: Total) {
        self.shard = shard
        self.total = total
    }

    /// Whether any object can belong to another replica.
    public var isSharded: Bool {
        if case .fixed(let count) = total { return count > 1 }
        return true
    }
}
