import KubeWatch
import Synchronization

/// Which objects this replica serves when kube-state is split across replicas, exactly
/// as kube-state-metrics splits it: an object belongs to shard
/// `jump(FNV1a.hash(uid), total)` (64-bit FNV-1a over the UID's bytes, then Lamping and
/// Veach's jump consistent hash as github.com/dgryski/go-jump computes it), so a
/// Telegen shard and a kube-state-metrics shard of the same ordinal serve the same
/// objects.
///
/// The total can change at run time (`total_shards: auto`); until it is first known
/// (`total == 0`) nothing is kept. Jump hashing moves an object only to or from the
/// highest shard when the total changes by one, so a re-partition touches the
/// fewest objects possible.
public final class ShardFilter: Sendable {
    public struct Assignment: Sendable, Equatable {
        public var shard: Int
        /// 0 while the total is not known yet.
        public var total: Int
    }

    private let state: Mutex<Assignment>

    /// `total` 0 means "not known yet" (it is followed from a StatefulSet).
    public init(shard: Int, total: Int) {
        state = Mutex(Assignment(shard: shard, total: max(total, 0)))
    }

    public var assignment: Assignment { state.withLock { $0 } }

    /// Whether this replica serves the object with this UID.
    public func keeps(uid: String) -> Bool {
        Self.keeps(uid: uid, assignment)
    }

    static func keeps(uid: String, _ assignment: Assignment) -> Bool {
        switch assignment.total {
        case 0: false
        case 1: assignment.shard == 0
        default: shard(of: uid, total: assignment.total) == assignment.shard
        }
    }

    /// Sets the number of shards; true when it changed.
    @discardableResult
    public func update(total: Int) -> Bool {
        state.withLock { state in
            let total = max(total, 0)
            guard state.total != total else { return false }
            state.total = total
            return true
        }
    }

    /// The shard an object belongs to among `total` (at least 1).
    public static func shard(of uid: String, total: Int) -> Int {
        jump(FNV1a.hash(uid), buckets: max(total, 1))
    }

    /// go-jump's `Hash`: the same integer and floating-point steps, so the same bucket.
    static func jump(_ key: UInt64, buckets: Int) -> Int {
        var key = key
        var bucket: Int64 = -1
        var next: Int64 = 0
        while next < Int64(buckets) {
            bucket = next
            key = key &* 2_862_933_555_777_941_757 &+ 1
            next = Int64(Double(bucket + 1) * (Double(Int64(1) << 31) / Double((key >> 33) + 1)))
        }
        return Int(bucket)
    }
}
