import Foundation
@testable import KubeState
import Testing
import TestSupport

/// Shard assignment against kube-state-metrics' algorithm: reference vectors computed
/// from its Go code by an independent transcription (Tests/Python/shard_vectors.py).
struct ShardFilterTests {
    static func vectors() throws -> (totals: [Int], rows: [(uid: String, shards: [Int])]) {
        let text = try String(contentsOf: Repository.root.appendingPathComponent("Tests/Fixtures/kubestate/sharding.tsv"), encoding: .utf8)
        let lines = text.split(separator: "\n")
        let header = try #require(lines.first { $0.hasPrefix("# uid") })
        let totals = header.split(separator: "=").last!.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let rows = lines.filter { !$0.hasPrefix("#") }.map { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            return (String(fields[0]), fields.dropFirst().compactMap { Int($0) })
        }
        return (totals, rows)
    }

    @Test func assignmentsAreKubeStateMetrics() throws {
        let (totals, rows) = try Self.vectors()
        #expect(totals == [1, 2, 3, 4, 5, 7, 10, 16, 100, 1000])
        #expect(rows.count > 200)
        for row in rows {
            #expect(row.shards.count == totals.count, "\(row.uid)")
            for (total, expected) in zip(totals, row.shards) {
                #expect(ShardFilter.shard(of: row.uid, total: total) == expected, "\(row.uid) among \(total)")
            }
        }
    }

    @Test func everyObjectHasExactlyOneShard() throws {
        let (_, rows) = try Self.vectors()
        for total in [1, 3, 4] {
            let filters = (0..<total).map { ShardFilter(shard: $0, total: total) }
            for row in rows {
                #expect(filters.filter { $0.keeps(uid: row.uid) }.count == 1)
            }
        }
    }

    @Test func unknownTotalKeepsNothingUntilItIsKnown() {
        let filter = ShardFilter(shard: 1, total: 0)
        #expect(!filter.keeps(uid: "d23f0824-128b-4f33-8c5c-7fd0a6a3a450"))
        #expect(filter.update(total: 3))
        #expect(!filter.update(total: 3))
        #expect(filter.assignment == ShardFilter.Assignment(shard: 1, total: 3))
    }

    /// Jump hashing: growing from 3 to 4 shards only moves objects to shard 3.
    @Test func growingMovesObjectsOnlyToTheNewShard() throws {
        let (_, rows) = try Self.vectors()
        var moved = 0
        for row in rows {
            let before = ShardFilter.shard(of: row.uid, total: 3), after = ShardFilter.shard(of: row.uid, total: 4)
            if before != after {
                #expect(after == 3)
                moved += 1
            }
        }
        #expect(moved > 0)
    }
}
