@testable import EventLogs
import KubeWatch
import TelemetryModel
import Testing

/// The shared intake driven directly with decoded events and watch notification types,
/// as the streams' sinks drive it: which notifications become records, the counters,
/// and the checkpoint that follows the shipper's acknowledgements.
struct EventIntakeTests {
    static let base: Int64 = 1_760_000_000_000_000_000

    /// An event whose `lastTimestamp` says which occurrence it is (`base` + `count` s).
    static func event(uid: String, count: Int64, version: String, type: String = "Normal", namespace: String = "default",
                      kind: String = "Pod", reason: String = "Started") -> KubeEvent {
        var event = KubeEvent()
        event.metadata.name = "e-\(uid)"
        event.metadata.namespace = namespace
        event.metadata.uid = uid
        event.metadata.resourceVersion = version
        event.involvedObject.kind = kind
        event.involvedObject.namespace = namespace
        event.involvedObject.name = "web-0"
        event.reason = reason
        event.message = "occurrence \(count) of \(uid)"
        event.type = type
        event.count = count
        event.firstTimestamp = MicroTime(unixNanoseconds: base)
        event.lastTimestamp = MicroTime(unixNanoseconds: base + count * 1_000_000_000)
        return event
    }

    static func intake(filter: EventFilter = EventFilter(), rateLimit: Double = 1000) -> EventIntake {
        EventIntake(filter: filter, mapping: EventRecordMapping(), rateLimit: rateLimit)
    }

    static func count(_ record: LogRecord) -> AttributeValue? {
        record.attributes.first { $0.key == "k8s.event.count" }?.value
    }

    static func uid(_ record: LogRecord) -> AttributeValue? {
        record.attributes.first { $0.key == "k8s.event.uid" }?.value
    }

    @Test func addedThenModifiedGiveOneRecordPerOccurrence() {
        let intake = Self.intake()
        intake.open(stream: "all", resumingFrom: "")
        intake.handle(.added, Self.event(uid: "a", count: 1, version: "101"), stream: "all", observedUnixNano: 1)
        for count in Int64(2)...6 {
            intake.handle(.modified, Self.event(uid: "a", count: count, version: String(100 + count)), stream: "all", observedUnixNano: 1)
        }
        #expect(intake.waiting == 6)
        let (records, _) = intake.takeOutbox()
        #expect(records.count == 6)
        #expect(records.map(Self.count) == (1...6).map { AttributeValue.int(Int64($0)) })
        // Each occurrence carries its own time.
        #expect(records.map(\.timeUnixNano) == (1...6).map { UInt64(Self.base + Int64($0) * 1_000_000_000) })
        #expect(records.allSatisfy { $0.body.hasPrefix("occurrence ") })

        let statistics = intake.statistics
        #expect(statistics.received == ["ADDED": 1, "MODIFIED": 5])
        #expect(statistics.emitted == 6)
        #expect(statistics.deduplicated == 0)
        #expect(statistics.tracked == 1)
    }

    @Test func aCountThatJumpsGivesOneRecordForTheNewCount() {
        let intake = Self.intake()
        intake.open(stream: "all", resumingFrom: "")
        intake.handle(.added, Self.event(uid: "a", count: 3, version: "10"), stream: "all", observedUnixNano: 1)
        intake.handle(.modified, Self.event(uid: "a", count: 7, version: "11"), stream: "all", observedUnixNano: 1)
        let records = intake.takeOutbox().records
        #expect(records.map(Self.count) == [.int(3), .int(7)])
    }

    @Test func theSameCountIsDeduplicated() {
        let intake = Self.intake()
        intake.open(stream: "all", resumingFrom: "")
        intake.handle(.added, Self.event(uid: "a", count: 1, version: "10"), stream: "all", observedUnixNano: 1)
        // A message edit or a heartbeat: MODIFIED, same count.
        var edited = Self.event(uid: "a", count: 1, version: "11")
        edited.message = "edited"
        intake.handle(.modified, edited, stream: "all", observedUnixNano: 1)
        // A replay of the ADDED (a watch resumed from before it).
        intake.handle(.added, Self.event(uid: "a", count: 1, version: "10"), stream: "all", observedUnixNano: 1)
        intake.handle(.modified, Self.event(uid: "a", count: 2, version: "12"), stream: "all", observedUnixNano: 1)
        // An older count arriving late adds nothing.
        intake.handle(.modified, Self.event(uid: "a", count: 1, version: "13"), stream: "all", observedUnixNano: 1)

        let records = intake.takeOutbox().records
        #expect(records.map(Self.count) == [.int(1), .int(2)])
        let statistics = intake.statistics
        #expect(statistics.emitted == 2)
        #expect(statistics.deduplicated == 3)
        #expect(statistics.received == ["ADDED": 2, "MODIFIED": 3])
    }

    @Test func deletedForgetsTheUID() {
        let intake = Self.intake()
        intake.open(stream: "all", resumingFrom: "")
        intake.handle(.added, Self.event(uid: "a", count: 1, version: "10"), stream: "all", observedUnixNano: 1)
        intake.handle(.added, Self.event(uid: "b", count: 1, version: "11"), stream: "all", observedUnixNano: 1)
        #expect(intake.statistics.tracked == 2)
        intake.handle(.deleted, Self.event(uid: "a", count: 1, version: "12"), stream: "all", observedUnixNano: 1)
        #expect(intake.statistics.tracked == 1)
        #expect(intake.waiting == 2)  // a DELETED is no record

        // Forgotten: the same (UID, count) is an occurrence again.
        intake.handle(.added, Self.event(uid: "a", count: 1, version: "13"), stream: "all", observedUnixNano: 1)
        // Not forgotten: still a duplicate.
        intake.handle(.added, Self.event(uid: "b", count: 1, version: "14"), stream: "all", observedUnixNano: 1)

        let records = intake.takeOutbox().records
        #expect(records.map(Self.uid) == [.string("a"), .string("b"), .string("a")])
        let statistics = intake.statistics
        #expect(statistics.received == ["ADDED": 4, "DELETED": 1])
        #expect(statistics.emitted == 3)
        #expect(statistics.deduplicated == 1)
        #expect(statistics.tracked == 2)
    }

    @Test func filteredEventsAreCountedAndNeverTracked() {
        let intake = Self.intake(filter: EventFilter(excludedNamespaces: ["kube-system"], types: ["Warning"]))
        intake.open(stream: "all", resumingFrom: "5")
        intake.handle(.added, Self.event(uid: "n", count: 1, version: "6", type: "Normal"), stream: "all", observedUnixNano: 1)
        intake.handle(.added, Self.event(uid: "k", count: 1, version: "7", type: "Warning", namespace: "kube-system"),
                      stream: "all", observedUnixNano: 1)
        intake.handle(.added, Self.event(uid: "w", count: 1, version: "8", type: "Warning"), stream: "all", observedUnixNano: 1)
        intake.handle(.modified, Self.event(uid: "n", count: 2, version: "9", type: "Normal"), stream: "all", observedUnixNano: 1)

        let records = intake.takeOutbox().records
        #expect(records.map(Self.uid) == [.string("w")])
        let statistics = intake.statistics
        #expect(statistics.filtered == 3)
        #expect(statistics.emitted == 1)
        #expect(statistics.deduplicated == 0)
        #expect(statistics.tracked == 1)
        #expect(statistics.received == ["ADDED": 3, "MODIFIED": 1])
    }

    @Test func theRateLimitDropsAndCountsAndNeverRetries() {
        // 2 a second, a burst of 2: the third at once is dropped.
        let intake = Self.intake(rateLimit: 2)
        intake.open(stream: "all", resumingFrom: "")
        for (index, uid) in ["a", "b", "c"].enumerated() {
            intake.handle(.added, Self.event(uid: uid, count: 1, version: String(10 + index)), stream: "all", observedUnixNano: 1)
        }
        let records = intake.takeOutbox().records
        #expect(records.map(Self.uid) == [.string("a"), .string("b")])
        var statistics = intake.statistics
        #expect(statistics.rateLimited == 1)
        #expect(statistics.emitted == 2)
        // A drop is final: the dropped occurrence is remembered, so its replay is a duplicate.
        #expect(statistics.tracked == 3)
        intake.handle(.added, Self.event(uid: "c", count: 1, version: "12"), stream: "all", observedUnixNano: 1)
        statistics = intake.statistics
        #expect(statistics.deduplicated == 1)
        #expect(statistics.rateLimited == 1)
        #expect(intake.waiting == 0)
    }

    @Test func aRateLimitedNotificationDoesNotHoldTheCheckpoint() {
        let intake = Self.intake(rateLimit: 1)
        intake.open(stream: "all", resumingFrom: "1")
        intake.handle(.added, Self.event(uid: "a", count: 1, version: "2"), stream: "all", observedUnixNano: 1)
        intake.handle(.added, Self.event(uid: "b", count: 1, version: "3"), stream: "all", observedUnixNano: 1)
        #expect(intake.statistics.rateLimited == 1)
        let (_, batch) = intake.takeOutbox()
        intake.shipped(batch: batch, ticket: 1)
        #expect(intake.acknowledge(through: 1) == ["all": "3"])
    }

    /// After a 410 the stream lists every event: items no newer than what the stream
    /// already handled were seen by the watch; newer ones are sent unless their
    /// (UID, count) already was.
    @Test func listedItemsNoNewerThanTheHandledVersionAreDeduplicated() {
        let intake = Self.intake()
        intake.open(stream: "all", resumingFrom: "100")
        intake.handle(.added, Self.event(uid: "a", count: 1, version: "105"), stream: "all", observedUnixNano: 1)
        _ = intake.takeOutbox()

        // Relist: handled is 105.
        intake.handle(.listed, Self.event(uid: "a", count: 1, version: "105"), stream: "all", observedUnixNano: 2)
        // Never seen in this run, but older than what the watch handled: the watch saw it
        // (or it was before the checkpoint).
        intake.handle(.listed, Self.event(uid: "old", count: 4, version: "99"), stream: "all", observedUnixNano: 2)
        intake.handle(.listed, Self.event(uid: "edge", count: 1, version: "105"), stream: "all", observedUnixNano: 2)
        // Newer, compared as numbers (not text: "1000" < "105" as text).
        intake.handle(.listed, Self.event(uid: "new", count: 1, version: "1000"), stream: "all", observedUnixNano: 2)
        intake.handle(.listed, Self.event(uid: "grown", count: 3, version: "120"), stream: "all", observedUnixNano: 2)
        // Newer than handled, but that (UID, count) was sent already: still a duplicate.
        intake.handle(.listed, Self.event(uid: "new", count: 1, version: "1001"), stream: "all", observedUnixNano: 2)

        let records = intake.takeOutbox().records
        #expect(records.map(Self.uid) == [.string("new"), .string("grown")])
        let statistics = intake.statistics
        #expect(statistics.received == ["ADDED": 1, "LISTED": 6])
        #expect(statistics.relisted == 2)
        #expect(statistics.emitted == 3)
        #expect(statistics.deduplicated == 4)
    }

    @Test func listedItemsDoNotRaiseTheHandledVersion() {
        let intake = Self.intake()
        intake.open(stream: "all", resumingFrom: "100")
        // A relist's items come in key order: a high version first must not make the
        // lower, unseen ones after it look already handled.
        intake.handle(.listed, Self.event(uid: "z", count: 1, version: "300"), stream: "all", observedUnixNano: 1)
        intake.handle(.listed, Self.event(uid: "y", count: 1, version: "200"), stream: "all", observedUnixNano: 1)
        #expect(intake.takeOutbox().records.map(Self.uid) == [.string("z"), .string("y")])
        #expect(intake.statistics.relisted == 2)
    }

    @Test func theCheckpointMovesOnlyOnceTheTicketIsAcknowledged() {
        let intake = Self.intake()
        intake.open(stream: "all", resumingFrom: "100")
        #expect(intake.checkpoints == ["all": "100"])
        intake.handle(.added, Self.event(uid: "a", count: 1, version: "101"), stream: "all", observedUnixNano: 1)
        intake.handle(.deleted, Self.event(uid: "z", count: 1, version: "102"), stream: "all", observedUnixNano: 1)

        // Not shipped yet: nothing to acknowledge, whatever the shipper says.
        #expect(intake.acknowledge(through: 1000) == nil)
        #expect(intake.checkpoints == ["all": "100"])

        let (records, batch) = intake.takeOutbox()
        #expect(records.count == 1)
        // Taken but its ticket not known yet.
        #expect(intake.acknowledge(through: 1000) == nil)

        intake.shipped(batch: batch, ticket: 5)
        #expect(intake.acknowledge(through: 4) == nil)
        #expect(intake.checkpoints == ["all": "100"])
        // Acknowledged: over the record and the recordless DELETED after it.
        #expect(intake.acknowledge(through: 5) == ["all": "102"])
        #expect(intake.checkpoints == ["all": "102"])
        // Nothing new: no move to report.
        #expect(intake.acknowledge(through: 5) == nil)

        // The next record goes into the next batch; a bookmark after it waits for it.
        intake.handle(.modified, Self.event(uid: "a", count: 2, version: "103"), stream: "all", observedUnixNano: 1)
        intake.progressed(stream: "all", to: "110")
        #expect(intake.acknowledge(through: 5) == nil)
        let next = intake.takeOutbox()
        #expect(next.batch > batch)
        intake.shipped(batch: next.batch, ticket: 6)
        #expect(intake.acknowledge(through: 5) == nil)
        #expect(intake.acknowledge(through: 6) == ["all": "110"])
    }

    @Test func aBookmarkAloneMovesTheCheckpoint() {
        let intake = Self.intake()
        intake.open(stream: "all", resumingFrom: "100")
        intake.progressed(stream: "all", to: "150")
        #expect(intake.acknowledge(through: 0) == ["all": "150"])
    }

    @Test func eachStreamHasItsOwnCheckpoint() {
        let intake = Self.intake()
        intake.open(stream: "ns/a", resumingFrom: "10")
        intake.open(stream: "ns/b", resumingFrom: "20")
        intake.handle(.added, Self.event(uid: "a1", count: 1, version: "11", namespace: "a"), stream: "ns/a", observedUnixNano: 1)
        intake.handle(.added, Self.event(uid: "b1", count: 1, version: "21", namespace: "b"), stream: "ns/b", observedUnixNano: 1)
        let first = intake.takeOutbox()
        intake.shipped(batch: first.batch, ticket: 1)
        intake.handle(.added, Self.event(uid: "b2", count: 1, version: "22", namespace: "b"), stream: "ns/b", observedUnixNano: 1)
        intake.progressed(stream: "ns/a", to: "15")
        let second = intake.takeOutbox()
        intake.shipped(batch: second.batch, ticket: 2)

        #expect(intake.acknowledge(through: 1) == ["ns/a": "15", "ns/b": "21"])
        #expect(intake.acknowledge(through: 2) == ["ns/a": "15", "ns/b": "22"])
        // A stream that was never opened has no checkpoint.
        intake.progressed(stream: "ns/c", to: "99")
        #expect(intake.checkpoints == ["ns/a": "15", "ns/b": "22"])
    }

    @Test func batchesAreNumberedInOrder() {
        let intake = Self.intake()
        intake.open(stream: "all", resumingFrom: "")
        let empty = intake.takeOutbox()
        #expect(empty.records.isEmpty)
        intake.handle(.added, Self.event(uid: "a", count: 1, version: "1"), stream: "all", observedUnixNano: 1)
        let one = intake.takeOutbox()
        #expect(one.records.count == 1)
        #expect(one.batch > empty.batch)
        #expect(intake.waiting == 0)
        #expect(intake.takeOutbox().records.isEmpty)
    }

    @Test func statisticsFollowTheLastEmittedOccurrence() {
        let intake = Self.intake()
        intake.open(stream: "all", resumingFrom: "")
        #expect(intake.statistics == EventStatistics())
        intake.handle(.added, Self.event(uid: "a", count: 1, version: "1"), stream: "all", observedUnixNano: 1_760_000_100_000_000_000)
        intake.handle(.modified, Self.event(uid: "a", count: 4, version: "2"), stream: "all", observedUnixNano: 1_760_000_200_000_000_000)
        // A duplicate afterwards does not change them.
        intake.handle(.modified, Self.event(uid: "a", count: 4, version: "3"), stream: "all", observedUnixNano: 1_760_000_300_000_000_000)
        var expected = EventStatistics()
        expected.received = ["ADDED": 1, "MODIFIED": 2]
        expected.emitted = 2
        expected.deduplicated = 1
        expected.tracked = 1
        expected.lastOccurrenceUnixNano = UInt64(Self.base + 4_000_000_000)
        expected.lastObservedUnixNano = 1_760_000_200_000_000_000
        #expect(intake.statistics == expected)
        let records = intake.takeOutbox().records
        #expect(records.map(\.observedTimeUnixNano) == [1_760_000_100_000_000_000, 1_760_000_200_000_000_000])
    }

    @Test func resourceVersionsCompareAsNumbers() {
        #expect(EventIntake.isNewer("10", than: "9"))
        #expect(!EventIntake.isNewer("9", than: "10"))
        #expect(!EventIntake.isNewer("10", than: "10"))
        // Not numbers: newer, the dedup state decides.
        #expect(EventIntake.isNewer("abc", than: "10"))
        #expect(EventIntake.isNewer("10", than: ""))
    }
}
