@testable import EventLogs
import Testing

/// The dedup state: the last count delivered per UID, bounded by age and by entries.
/// Every instant is injected, as offsets in seconds from the state's origin.
struct DeliveredEventsTests {
    static let origin = ContinuousClock.now

    static func at(_ seconds: Int64) -> ContinuousClock.Instant {
        origin.advanced(by: .seconds(seconds))
    }

    /// A lower-case UUID, as the API server makes them (held as 128 bits).
    static func uuid(_ index: Int) -> String {
        let hex = String(index, radix: 16)
        return "00000000-0000-4000-8000-" + String(repeating: "0", count: 12 - hex.count) + hex
    }

    @Test func remembersTheLastCountPerUID() {
        var delivered = DeliveredEvents(now: Self.origin)
        #expect(delivered.count == 0)
        #expect(delivered.lastCount(uid: Self.uuid(1)) == nil)
        delivered.record(uid: Self.uuid(1), count: 1, now: Self.at(0))
        delivered.record(uid: Self.uuid(1), count: 5, now: Self.at(1))
        delivered.record(uid: "not-a-uuid", count: 2, now: Self.at(1))
        #expect(delivered.lastCount(uid: Self.uuid(1)) == 5)
        #expect(delivered.lastCount(uid: "not-a-uuid") == 2)
        #expect(delivered.lastCount(uid: Self.uuid(2)) == nil)
        #expect(delivered.count == 2)
    }

    @Test func entriesExpireAfterTheMaximumAge() {
        var delivered = DeliveredEvents(maximumAge: .seconds(75 * 60), now: Self.origin)
        delivered.record(uid: Self.uuid(1), count: 1, now: Self.at(0))
        delivered.record(uid: Self.uuid(2), count: 1, now: Self.at(100))

        // Exactly the maximum age: still there.
        delivered.expire(now: Self.at(4500))
        #expect(delivered.count == 2)
        // A second older: the first goes, the second stays.
        delivered.expire(now: Self.at(4501))
        #expect(delivered.lastCount(uid: Self.uuid(1)) == nil)
        #expect(delivered.lastCount(uid: Self.uuid(2)) == 1)
        #expect(delivered.count == 1)
        delivered.expire(now: Self.at(4600))
        #expect(delivered.count == 1)
        delivered.expire(now: Self.at(4601))
        #expect(delivered.count == 0)
    }

    @Test func anUpdateRearmsTheAge() {
        var delivered = DeliveredEvents(maximumAge: .seconds(60), now: Self.origin)
        delivered.record(uid: Self.uuid(1), count: 1, now: Self.at(0))
        delivered.record(uid: Self.uuid(2), count: 1, now: Self.at(0))
        delivered.record(uid: Self.uuid(1), count: 2, now: Self.at(50))
        delivered.expire(now: Self.at(100))
        #expect(delivered.lastCount(uid: Self.uuid(1)) == 2)
        #expect(delivered.lastCount(uid: Self.uuid(2)) == nil)
    }

    @Test func nothingExpiresBeforeTheMaximumAgeHasPassedSinceTheOrigin() {
        var delivered = DeliveredEvents(maximumAge: .seconds(3600), now: Self.origin)
        for index in 0..<10 { delivered.record(uid: Self.uuid(index), count: 1, now: Self.at(Int64(index))) }
        delivered.expire(now: Self.at(10))
        delivered.expire(now: Self.at(3600))
        #expect(delivered.count == 10)
    }

    @Test func evictsDownToNineTenthsOfTheCapOldestFirst() {
        var delivered = DeliveredEvents(maximumEntries: 10, now: Self.origin)
        for index in 0..<10 { delivered.record(uid: Self.uuid(index), count: Int64(index + 1), now: Self.at(Int64(index))) }
        #expect(delivered.count == 10)  // at the cap: nothing evicted yet

        delivered.record(uid: Self.uuid(10), count: 11, now: Self.at(10))
        #expect(delivered.count == 9)
        // The two least recently touched went; the rest, the newest included, stayed.
        #expect(delivered.lastCount(uid: Self.uuid(0)) == nil)
        #expect(delivered.lastCount(uid: Self.uuid(1)) == nil)
        for index in 2...10 { #expect(delivered.lastCount(uid: Self.uuid(index)) == Int64(index + 1), "\(index)") }
    }

    @Test func evictionGoesByLastTouchNotByFirstRecord() {
        var delivered = DeliveredEvents(maximumEntries: 10, now: Self.origin)
        for index in 0..<10 { delivered.record(uid: Self.uuid(index), count: 1, now: Self.at(Int64(index))) }
        // The oldest two are touched again: now 2 and 3 are the least recent.
        delivered.record(uid: Self.uuid(0), count: 2, now: Self.at(20))
        delivered.record(uid: Self.uuid(1), count: 2, now: Self.at(21))
        delivered.record(uid: Self.uuid(10), count: 1, now: Self.at(22))
        #expect(delivered.count == 9)
        #expect(delivered.lastCount(uid: Self.uuid(0)) == 2)
        #expect(delivered.lastCount(uid: Self.uuid(1)) == 2)
        #expect(delivered.lastCount(uid: Self.uuid(2)) == nil)
        #expect(delivered.lastCount(uid: Self.uuid(3)) == nil)
        #expect(delivered.lastCount(uid: Self.uuid(10)) == 1)
    }

    /// Times have a resolution of a second, so many entries share one. An entry touched
    /// after all of them is the most recent and must survive the eviction its insertion
    /// causes (else the occurrence just sent is forgotten and a replay sends it again);
    /// which of the tied ones go is unspecified. Repeated with fresh UIDs, since the
    /// order of ties depends on hashing.
    @Test func theNewestEntrySurvivesEvenWhenOlderOnesTie() {
        for trial in 0..<40 {
            var delivered = DeliveredEvents(maximumEntries: 10, now: Self.origin)
            for index in 0..<10 { delivered.record(uid: Self.uuid(trial * 100 + index), count: 1, now: Self.at(0)) }
            let newest = Self.uuid(trial * 100 + 99)
            delivered.record(uid: newest, count: 7, now: Self.at(1))
            #expect(delivered.count == 9, "trial \(trial)")
            #expect(delivered.lastCount(uid: newest) == 7, "trial \(trial)")
        }
    }

    @Test func evictionOfALargeCapKeepsNineTenths() {
        var delivered = DeliveredEvents(maximumEntries: 1000, now: Self.origin)
        for index in 0...1000 { delivered.record(uid: Self.uuid(index), count: 1, now: Self.at(Int64(index))) }
        #expect(delivered.count == 900)
        #expect(delivered.lastCount(uid: Self.uuid(100)) == nil)
        #expect(delivered.lastCount(uid: Self.uuid(101)) == 1)
        #expect(delivered.lastCount(uid: Self.uuid(1000)) == 1)
        // Then room again: the next 100 insertions evict nothing.
        for index in 1001...1100 { delivered.record(uid: Self.uuid(index), count: 1, now: Self.at(Int64(index))) }
        #expect(delivered.count == 1000)
    }

    @Test func forgetRemovesOneUID() {
        var delivered = DeliveredEvents(now: Self.origin)
        delivered.record(uid: Self.uuid(1), count: 3, now: Self.at(0))
        delivered.record(uid: Self.uuid(2), count: 4, now: Self.at(0))
        delivered.forget(uid: Self.uuid(1))
        #expect(delivered.lastCount(uid: Self.uuid(1)) == nil)
        #expect(delivered.lastCount(uid: Self.uuid(2)) == 4)
        #expect(delivered.count == 1)
        // Unknown UIDs: nothing happens.
        delivered.forget(uid: Self.uuid(9))
        delivered.forget(uid: "")
        #expect(delivered.count == 1)
        // A forgotten UID starts over.
        delivered.record(uid: Self.uuid(1), count: 1, now: Self.at(1))
        #expect(delivered.lastCount(uid: Self.uuid(1)) == 1)
    }

    @Test func aCapBelowOneIsOne() {
        var delivered = DeliveredEvents(maximumEntries: 0, now: Self.origin)
        #expect(delivered.maximumEntries == 1)
        delivered.record(uid: Self.uuid(1), count: 1, now: Self.at(0))
        #expect(delivered.count == 1)
    }

    /// With a cap of 1, nine tenths is 0 entries: the eviction that a second entry
    /// causes must still leave a state within the cap, not trap. In a child process,
    /// since a trap would end the whole test run.
    @Test func evictionWithATinyCapDoesNotTrap() async {
        await #expect(processExitsWith: .success) {
            var delivered = DeliveredEvents(maximumEntries: 1)
            delivered.record(uid: "00000000-0000-4000-8000-000000000001", count: 1)
            delivered.record(uid: "00000000-0000-4000-8000-000000000002", count: 1)
            precondition(delivered.count <= 1)
        }
    }
}
