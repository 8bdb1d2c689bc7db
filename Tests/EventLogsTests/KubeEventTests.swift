import EventLogs
import KubeWatch
import Testing

/// The event model: decoding what `/api/v1/events` serves (core/v1 fields, and the
/// events.k8s.io spellings), the occurrence count and the occurrence time. The record
/// mapping itself is EventRecordMappingTests'.
struct KubeEventTests {
    static func decode(_ text: String) throws -> KubeEvent {
        try Array(text.utf8).withUnsafeBufferPointer { try KubeEvent(json: $0) }
    }

    /// Unix nanoseconds of 2025-10-09T08:53:20Z.
    static let t0: Int64 = 1_760_000_000 * 1_000_000_000

    static func time(_ offsetNanoseconds: Int64) -> MicroTime {
        MicroTime(unixNanoseconds: t0 + offsetNanoseconds)
    }

    @Test func decodesACoreV1Event() throws {
        let event = try Self.decode("""
            {"kind":"Event","apiVersion":"v1",
             "metadata":{"name":"web-0.18a1","namespace":"shop","uid":"0f4e1c52-7d3b-4a51-9c1e-1b2a3c4d5e6f",
                         "resourceVersion":"123456","creationTimestamp":"2025-10-09T08:53:20Z",
                         "managedFields":[{"manager":"kubelet","fieldsV1":{"f:count":{}}}]},
             "involvedObject":{"kind":"Pod","namespace":"shop","name":"web-0","uid":"9a8b7c6d-0000-4000-8000-000000000001",
                               "apiVersion":"v1","resourceVersion":"777","fieldPath":"spec.containers{app}"},
             "reason":"BackOff","message":"Back-off restarting failed container",
             "source":{"component":"kubelet","host":"node-1"},
             "firstTimestamp":"2025-10-09T08:53:20Z","lastTimestamp":"2025-10-09T08:54:20Z",
             "count":5,"type":"Warning","eventTime":null,"reportingComponent":"kubelet","reportingInstance":"node-1",
             "action":"Restarting"}
            """)
        #expect(event.metadata.name == "web-0.18a1")
        #expect(event.metadata.namespace == "shop")
        #expect(event.metadata.uid == "0f4e1c52-7d3b-4a51-9c1e-1b2a3c4d5e6f")
        #expect(event.metadata.resourceVersion == "123456")
        #expect(event.metadata.creationTimestamp == Timestamp(seconds: 1_760_000_000))
        var involved = KubeEvent.ObjectReference()
        involved.kind = "Pod"
        involved.namespace = "shop"
        involved.name = "web-0"
        involved.uid = "9a8b7c6d-0000-4000-8000-000000000001"
        involved.apiVersion = "v1"
        involved.resourceVersion = "777"
        involved.fieldPath = "spec.containers{app}"
        #expect(event.involvedObject == involved)
        #expect(event.reason == "BackOff")
        #expect(event.message == "Back-off restarting failed container")
        #expect(event.type == "Warning")
        #expect(event.action == "Restarting")
        #expect(event.source.component == "kubelet" && event.source.host == "node-1")
        #expect(event.firstTimestamp == Self.time(0))
        #expect(event.lastTimestamp == Self.time(60_000_000_000))
        #expect(event.eventTime == nil)
        #expect(event.count == 5)
        #expect(event.series == nil)
        #expect(event.reportingController == "kubelet")
        #expect(event.reportingInstance == "node-1")
        #expect(event.occurrences == 5)
    }

    /// The events.k8s.io/v1 spellings of the same fields.
    @Test func decodesAnEventsK8sIOEvent() throws {
        let event = try Self.decode("""
            {"kind":"Event","apiVersion":"events.k8s.io/v1",
             "metadata":{"name":"web-0.18a2","namespace":"shop","uid":"u-2","resourceVersion":"200"},
             "eventTime":"2025-10-09T08:53:20.123456Z",
             "series":{"count":4,"lastObservedTime":"2025-10-09T08:58:20.654321Z"},
             "reportingController":"example.com/operator","reportingInstance":"operator-7f9",
             "action":"Reconcile","reason":"Synced",
             "regarding":{"kind":"Deployment","namespace":"shop","name":"web","uid":"d-1","apiVersion":"apps/v1"},
             "related":{"kind":"ReplicaSet","name":"web-abc"},
             "note":"synced 3 replicas","type":"Normal",
             "deprecatedSource":{"component":"operator"},
             "deprecatedFirstTimestamp":"2025-10-09T08:50:00Z",
             "deprecatedLastTimestamp":"2025-10-09T08:51:00Z",
             "deprecatedCount":2}
            """)
        #expect(event.message == "synced 3 replicas")
        #expect(event.involvedObject.kind == "Deployment")
        #expect(event.involvedObject.name == "web")
        #expect(event.involvedObject.apiVersion == "apps/v1")
        #expect(event.reportingController == "example.com/operator")
        #expect(event.reportingInstance == "operator-7f9")
        #expect(event.source.component == "operator")
        #expect(event.firstTimestamp == Self.time(-200_000_000_000))
        #expect(event.lastTimestamp == Self.time(-140_000_000_000))
        #expect(event.count == 2)
        #expect(event.eventTime == Self.time(123_456_000))
        #expect(event.series?.count == 4)
        #expect(event.series?.lastObservedTime == Self.time(300_654_321_000))
        #expect(event.action == "Reconcile" && event.reason == "Synced" && event.type == "Normal")
        // The related object is not the involved one.
        #expect(event.involvedObject.name != "web-abc")
    }

    /// What an events.k8s.io recorder's event looks like on /api/v1/events: no count,
    /// a series, null core/v1 timestamps.
    @Test func decodesASeriesEventAsServedByTheCoreAPI() throws {
        let event = try Self.decode("""
            {"metadata":{"name":"n","namespace":"default","uid":"u-3","resourceVersion":"300"},
             "involvedObject":{"kind":"Node","name":"node-1","uid":"node-1"},
             "reason":"Rebooted","message":"m","source":{},
             "firstTimestamp":null,"lastTimestamp":null,
             "type":"Warning","eventTime":"2025-10-09T08:53:20.000001Z",
             "series":{"count":7,"lastObservedTime":"2025-10-09T09:00:00.500000Z"},
             "action":"Reboot","reportingComponent":"kubelet","reportingInstance":"node-1"}
            """)
        #expect(event.count == 0)
        #expect(event.firstTimestamp == nil && event.lastTimestamp == nil)
        #expect(event.eventTime == Self.time(1_000))
        #expect(event.occurrences == 7)
        #expect(event.involvedObject.namespace == "")
        #expect(event.source == KubeEvent.Source())
    }

    @Test func aMissingInvolvedObjectDecodesToEmptyFields() throws {
        let event = try Self.decode(#"{"metadata":{"name":"x","uid":"u"},"reason":"R","message":"m","type":"Normal"}"#)
        #expect(event.involvedObject == KubeEvent.ObjectReference())
        #expect(event.involvedObject.kind == "" && event.involvedObject.name == "" && event.involvedObject.namespace == "")
        #expect(event.reason == "R")
        #expect(event.occurrences == 1)
        let null = try Self.decode(#"{"metadata":{"uid":"u"},"involvedObject":null,"source":null,"series":null}"#)
        #expect(null.involvedObject == KubeEvent.ObjectReference())
        #expect(null.source == KubeEvent.Source())
        #expect(null.series == nil)
    }

    @Test func anEmptyObjectDecodesToTheDefaults() throws {
        #expect(try Self.decode("{}") == KubeEvent())
    }

    @Test func unknownFieldsAreSkipped() throws {
        let event = try Self.decode(#"{"future":{"a":[1,{"b":null}],"c":"d"},"reason":"R","count":3,"x":true}"#)
        #expect(event.reason == "R")
        #expect(event.count == 3)
    }

    @Test(arguments: [
        ("2025-10-09T08:53:20Z", Int64(0)),
        ("2025-10-09T08:53:20.123456Z", Int64(123_456_000)),
        ("2025-10-09T08:53:20.000001Z", Int64(1_000)),
        ("2025-10-09T08:53:20.5Z", Int64(500_000_000)),
        ("2025-10-09T10:53:20.100000+02:00", Int64(100_000_000)),
        ("2025-10-09T08:53:21.999999Z", Int64(1_999_999_000)),
    ])
    func microTimes(text: String, offset: Int64) throws {
        let event = try Self.decode(#"{"eventTime":"\#(text)"}"#)
        #expect(event.eventTime == Self.time(offset))
    }

    @Test func emptyTimesAreAbsent() throws {
        let event = try Self.decode(#"{"eventTime":"","firstTimestamp":null}"#)
        #expect(event.eventTime == nil && event.firstTimestamp == nil)
    }

    @Test(arguments: [#"{"eventTime":"yesterday"}"#, #"{"lastTimestamp":"2025-10-09 08:53:20"}"#, #"{"count":"5"}"#,
                      #"{"involvedObject":"Pod"}"#, "{", #"{"reason":"R"} extra"#])
    func malformedEventsAreRefused(text: String) {
        #expect(throws: (any Error).self) { try Self.decode(text) }
    }

    // MARK: Occurrences

    @Test func occurrencesAreCountElseSeriesCountElseOne() {
        var event = KubeEvent()
        #expect(event.occurrences == 1)
        event.series = KubeEvent.Series()
        #expect(event.occurrences == 1)  // a series without a count
        event.series?.count = 6
        #expect(event.occurrences == 6)
        event.count = 9
        #expect(event.occurrences == 9)  // count wins
        event.count = 0
        #expect(event.occurrences == 6)
        event.count = -3
        #expect(event.occurrences == 6)
        event.series = nil
        #expect(event.occurrences == 1)
    }

    // MARK: Occurrence time

    /// A new event: eventTime, else lastTimestamp, else firstTimestamp.
    @Test func aNewEventsTimePrecedence() {
        var event = KubeEvent()
        #expect(event.occurrenceTime(latest: false) == nil)
        event.series = KubeEvent.Series()
        event.series?.lastObservedTime = Self.time(9)
        #expect(event.occurrenceTime(latest: false) == nil)  // the series is for repeats only
        event.firstTimestamp = Self.time(1)
        #expect(event.occurrenceTime(latest: false) == Self.time(1))
        event.lastTimestamp = Self.time(2)
        #expect(event.occurrenceTime(latest: false) == Self.time(2))
        event.eventTime = Self.time(3)
        #expect(event.occurrenceTime(latest: false) == Self.time(3))
    }

    /// A repeat: series.lastObservedTime, else lastTimestamp, else eventTime, else
    /// firstTimestamp.
    @Test func aRepeatsTimePrecedence() {
        var event = KubeEvent()
        #expect(event.occurrenceTime(latest: true) == nil)
        event.firstTimestamp = Self.time(1)
        #expect(event.occurrenceTime(latest: true) == Self.time(1))
        event.eventTime = Self.time(3)
        #expect(event.occurrenceTime(latest: true) == Self.time(3))
        event.lastTimestamp = Self.time(2)
        #expect(event.occurrenceTime(latest: true) == Self.time(2))
        event.series = KubeEvent.Series()
        #expect(event.occurrenceTime(latest: true) == Self.time(2))  // a series without an observation
        event.series?.lastObservedTime = Self.time(9)
        #expect(event.occurrenceTime(latest: true) == Self.time(9))
    }

    /// Decoded from the wire, both ways, for the two recorders' shapes.
    @Test func occurrenceTimeOfDecodedEvents() throws {
        let core = try Self.decode(#"{"firstTimestamp":"2025-10-09T08:53:20Z","lastTimestamp":"2025-10-09T08:54:20Z","count":2,"eventTime":null}"#)
        #expect(core.occurrenceTime(latest: false) == Self.time(60_000_000_000))
        #expect(core.occurrenceTime(latest: true) == Self.time(60_000_000_000))

        let series = try Self.decode(#"{"eventTime":"2025-10-09T08:53:20.100000Z","series":{"count":3,"lastObservedTime":"2025-10-09T08:55:20.200000Z"},"firstTimestamp":null,"lastTimestamp":null}"#)
        #expect(series.occurrenceTime(latest: false) == Self.time(100_000_000))
        #expect(series.occurrenceTime(latest: true) == Self.time(120_200_000_000))
    }
}
