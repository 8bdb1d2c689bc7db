@testable import KubeWatch
import Testing

/// The Lease as leader election writes it: times as the API writes MicroTime, and what
/// it read (labels, annotations, coordinated-election fields) written back.
struct LeaseRecordTests {
    @Test(arguments: [
        ("2026-12-01T10:00:02.004518Z", "2026-12-01T10:00:02.004518Z"),
        ("2026-12-01T10:00:02Z", "2026-12-01T10:00:02.000000Z"),
        ("1969-12-31T23:59:59.5Z", "1969-12-31T23:59:59.500000Z"),
        ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000000Z"),
    ])
    func microTimeIsWrittenWithSixFractionalDigits(parsed: String, written: String) throws {
        let nanoseconds = try #require(RFC3339.nanoseconds(parsed))
        #expect(MicroTime(unixNanoseconds: nanoseconds).text == written)
    }

    @Test func whatIsReadIsWrittenBack() throws {
        let json = #"""
        {"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"telegen","namespace":"monitoring",
         "uid":"u-1","resourceVersion":"184467","labels":{"app":"telegen"},"annotations":{"a/b":"say \"hi\"\n"},
         "managedFields":[{"manager":"x"}]},
         "spec":{"holderIdentity":"pod-a","leaseDurationSeconds":15,"acquireTime":"2026-12-01T10:00:00.000000Z",
         "renewTime":"2026-12-01T10:00:04.011327Z","leaseTransitions":2,"strategy":"OldestEmulationVersion",
         "preferredHolder":"pod-b"}}
        """#
        let lease = try Array(json.utf8).withUnsafeBufferPointer { try LeaseRecord(json: $0) }
        #expect(lease.holderIdentity == "pod-a" && lease.leaseDurationSeconds == 15 && lease.leaseTransitions == 2)
        #expect(lease.annotation("a/b") == "say \"hi\"\n")
        let again = try Array(lease.json.utf8).withUnsafeBufferPointer { try LeaseRecord(json: $0) }
        #expect(again == lease)
        #expect(lease.json.contains(#""renewTime":"2026-12-01T10:00:04.011327Z""#))
    }
}
