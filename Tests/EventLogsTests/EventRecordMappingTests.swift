import EventLogs
import Foundation
import KubeWatch
import TelemetryModel
import Testing
import TestSupport

/// Telegen's event records against the OpenTelemetry Collector's `k8s_events` receiver,
/// which users migrate from: each Event in Tests/Fixtures/events/mapping.json (as
/// `/api/v1/events` serves it) goes through our decoder and mapping, and through a
/// transcription of the receiver's Go (Tests/Python/collector_k8s_events.py). Where the
/// two may differ, the difference is one that EventRecordMapping documents; everything
/// else must be equal, so that queries written for the receiver keep working.
struct EventRecordMappingTests {
    /// Distinct from every event time in the fixtures, so a record that put it in the
    /// wrong field could not pass.
    static let observed: UInt64 = 1_800_000_000_123_456_789

    @Test(arguments: try MappingFixtures.names())
    func matchesTheCollectorReceiver(name: String) throws {
        let fixture = try MappingFixtures.fixture(name)
        let theirs = fixture.collector.record
        let ours = EventRecordMapping().record(fixture.event, repeat: false, observedUnixNano: Self.observed)

        #expect(ours.body == theirs.body)
        #expect(ours.timeUnixNano == theirs.timeUnixNano)
        #expect(ours.severityNumber == theirs.severityNumber)
        if let text = theirs.severityText {
            #expect(ours.severityText == text)
        } else {
            // Documented difference: the receiver drops an unknown type's text; we keep
            // it, since it is then the only place the type survives. Its number is
            // unspecified in both.
            #expect(theirs.severityNumber == 0)
            #expect(ours.severityText == fixture.served.type ?? "")
        }
        // The receiver leaves observed time unset; we set it (documented).
        #expect(ours.observedTimeUnixNano == Self.observed)

        // Every record attribute of the receiver, with its value, and in its order
        // relative to the others (our additions may sit between them).
        let ourKeys = ours.attributes.map(\.key)
        let theirKeys = theirs.attributes.map(\.key)
        #expect(ourKeys.filter { theirKeys.contains($0) } == theirKeys)
        for attribute in theirs.attributes {
            #expect(ours[attribute.key] == attribute.value, "\(attribute.key)")
        }

        // Documented difference: `k8s.event.count` always, as the effective count
        // (count, else series.count, else 1); the receiver only when `count` is not 0,
        // and then equal (checked above). Derived here from the served JSON.
        let served = fixture.served
        let counts: [Int64] = [served.count, served.series?.count].compactMap { $0 }
        let effectiveCount = counts.first(where: { $0 > 0 }) ?? 1
        #expect(ours["k8s.event.count"] == .int(effectiveCount))

        // Documented move: the receiver's resource `k8s.object.*` are our record
        // attributes, same values; `k8s.node.name` (source.host) is not emitted at all,
        // since our resource is the agent's.
        for attribute in fixture.collector.resource where attribute.key.hasPrefix("k8s.object.") {
            #expect(ours[attribute.key] == attribute.value, "\(attribute.key)")
        }
        #expect(!ourKeys.contains("k8s.node.name"))
        // Documented addition beside them: the involved object's namespace.
        #expect(ours["k8s.object.namespace"] == .string(served.involvedObject?.namespace ?? ""))

        // Nothing beyond the receiver's keys and the documented additions, each once.
        let documented = Set(theirKeys + fixture.collector.resource.map(\.key).filter { $0.hasPrefix("k8s.object.") }
            + ["k8s.object.namespace", "k8s.event.count"])
        #expect(Set(ourKeys).subtracting(documented) == [])
        #expect(Set(ourKeys).count == ourKeys.count)
    }

    /// The fixtures must keep covering what the mapping has to get right; a fixture
    /// file that lost its hard cases would let the comparison above pass vacuously.
    @Test func fixturesCoverTheHardCases() throws {
        let fixtures = try MappingFixtures.loaded.get()
        let served = fixtures.served
        #expect(served.count >= 8)
        #expect(fixtures.events.count == served.count && fixtures.collector.count == served.count)
        #expect(served.contains { $0.series != nil && $0.count == nil && $0.eventTime != nil && $0.lastTimestamp == nil })
        #expect(served.contains { ($0.count ?? 0) > 1 && $0.lastTimestamp != $0.firstTimestamp })
        #expect(served.contains { $0.involvedObject?.kind == "Node" && $0.involvedObject?.namespace == nil })
        #expect(served.contains { $0.involvedObject?.kind == nil })
        #expect(served.contains { $0.involvedObject?.fieldPath == "spec.containers{app}" })
        #expect(served.contains { $0.type == "Critical" } && served.contains { $0.type == "Bogus" })
        #expect(fixtures.collector.contains { $0.record.body.utf8.count > 64 && $0.record.body.unicodeScalars.contains { $0.value > 0xFFFF } })
        #expect(fixtures.collector.contains { $0.record.body.contains("\u{FFFD}") })
    }

    /// A long message is cut to the limit at a character boundary, and says how long it
    /// was. Expected values come from the receiver's (uncut) body.
    @Test func longMessagesAreCutAtACharacterBoundary() throws {
        let limit = 64
        var cut = 0
        for name in try MappingFixtures.names() {
            let fixture = try MappingFixtures.fixture(name)
            let original = fixture.collector.record.body
            let originalBytes = Array(original.utf8)
            let full = EventRecordMapping().record(fixture.event, repeat: false, observedUnixNano: Self.observed)
            let ours = EventRecordMapping(maximumMessageBytes: limit).record(fixture.event, repeat: false, observedUnixNano: Self.observed)
            guard originalBytes.count > limit else {
                #expect(ours == full, "\(name): short enough, so untouched")
                continue
            }
            cut += 1
            // By hand: the longest run of whole characters (scalars) within the limit.
            var expected = String.UnicodeScalarView()
            var size = 0
            for scalar in original.unicodeScalars {
                let width = String(scalar).utf8.count
                if size + width > limit { break }
                expected.append(scalar)
                size += width
            }
            #expect(ours.body == String(expected), "\(name)")
            #expect(ours.body.utf8.count <= limit, "\(name)")
            // A byte prefix of the original: no character split and repaired into U+FFFD.
            #expect(originalBytes.starts(with: ours.body.utf8), "\(name)")
            #expect(ours["telegen.event.message.original_size"] == .int(Int64(originalBytes.count)), "\(name)")
            #expect(ours.attributes.filter { $0.key != "telegen.event.message.original_size" } == full.attributes, "\(name)")

            // At exactly its size nothing is cut; one byte less cuts.
            let exact = EventRecordMapping(maximumMessageBytes: originalBytes.count).record(fixture.event, repeat: false, observedUnixNano: Self.observed)
            #expect(exact == full, "\(name)")
            let short = EventRecordMapping(maximumMessageBytes: originalBytes.count - 1).record(fixture.event, repeat: false, observedUnixNano: Self.observed)
            #expect(short.body.utf8.count < originalBytes.count && originalBytes.starts(with: short.body.utf8), "\(name)")
        }
        #expect(cut >= 1)

        // The multi-byte fixture puts the limit inside a 4-byte character, so the cut
        // has to back off to its first byte.
        let multiByte = try #require(try MappingFixtures.names().map { try MappingFixtures.fixture($0) }.first {
            let bytes = Array($0.collector.record.body.utf8)
            return bytes.count > limit && bytes[limit] & 0xC0 == 0x80
        })
        let ours = EventRecordMapping(maximumMessageBytes: limit).record(multiByte.event, repeat: false, observedUnixNano: 1)
        #expect(ours.body.utf8.count < limit)
    }

    /// A repeat (a count that grew) carries the time of its own occurrence: the series'
    /// last observation, else `lastTimestamp` (else `eventTime`, else `firstTimestamp`,
    /// as KubeEvent documents); the rest of the record is as for the first occurrence.
    @Test(arguments: try MappingFixtures.names())
    func repeatsCarryTheLatestOccurrencesTime(name: String) throws {
        let fixture = try MappingFixtures.fixture(name)
        let served = fixture.served
        let text = try #require(served.series?.lastObservedTime ?? served.lastTimestamp ?? served.eventTime ?? served.firstTimestamp)
        let expected = try #require(MappingFixtures.unixNanoseconds(text), "\(text)")
        let first = EventRecordMapping().record(fixture.event, repeat: false, observedUnixNano: Self.observed)
        var again = EventRecordMapping().record(fixture.event, repeat: true, observedUnixNano: Self.observed)
        #expect(again.timeUnixNano == expected)
        again.timeUnixNano = first.timeUnixNano
        #expect(again == first)
    }
}

/// The fixture file read three ways: by Foundation for the facts the expectations are
/// derived from, by KubeWatch's decoder into our model, and by the receiver's
/// transcription in Python.
///
/// Its objects have the shape kube-apiserver's Go encoder writes for core/v1 (field order
/// of corev1.Event, `source` always an object, unset times `null`, `count` omitted when
/// 0, `<>&` escaped as `\u003c\u003e\u0026`, invalid UTF-8 as `\ufffd`; events.k8s.io
/// ones with `source: {}`, null first/last timestamps and no `count`). One message holds
/// an unpaired `\ud800`, which that encoder never writes (the server turns it into
/// U+FFFD when it decodes the request): it stands for a proxy or replay that re-encoded
/// the stream, and both readers must turn it into U+FFFD as Go does.
enum MappingFixtures {
    struct Fixture: Sendable {
        var served: ServedEvent
        var event: KubeEvent
        var collector: CollectorLogs
    }

    struct Loaded: Sendable {
        var served: [ServedEvent]
        var events: [KubeEvent]
        var collector: [CollectorLogs]
    }

    static let file = Repository.root.appendingPathComponent("Tests/Fixtures/events/mapping.json")
    static let script = Repository.root.appendingPathComponent("Tests/Python/collector_k8s_events.py")

    /// Loaded once for all tests (Python starts once).
    static let loaded = Result { try load() }

    static func names() throws -> [String] {
        try loaded.get().served.map(\.metadata.name)
    }

    static func fixture(_ name: String) throws -> Fixture {
        let all = try loaded.get()
        guard let index = all.served.firstIndex(where: { $0.metadata.name == name }) else { throw NoSuchFixture(name: name) }
        return Fixture(served: all.served[index], event: all.events[index], collector: all.collector[index])
    }

    private static func load() throws -> Loaded {
        let bytes = Array(try Data(contentsOf: file))
        let events = try bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONReader(buffer)
            var events: [KubeEvent] = []
            try reader.read(&events, DecodingContext())
            try reader.finish()
            return events
        }
        let served = try JSONDecoder().decode([ServedEvent].self, from: Data(replacingUnpairedSurrogates(bytes)))

        // The transcription needs only the standard library: the test venv's Python if
        // there is one, else the system's.
        let python = try (try? Repository.python()) ?? Command.which("python3", installHint: "install Python 3.11 (scripts/install-deps --test)")
        let run = try Command.run(python, [script.path], input: bytes)
        guard run.status == 0 else { throw TranscriptionFailed(stderr: run.stderr) }
        let collector = try JSONDecoder().decode([CollectorLogs].self, from: Data(run.stdout.utf8))
        return Loaded(served: served, events: events, collector: collector)
    }

    struct NoSuchFixture: Error { var name: String }

    struct TranscriptionFailed: Error, CustomStringConvertible {
        var stderr: String
        var description: String { "collector_k8s_events.py failed: \(stderr)" }
    }

    /// Foundation refuses an unpaired surrogate escape (`\ud800`), which one fixture
    /// message holds; Go reads it as U+FFFD. The facts read here never include messages,
    /// so this only lets Foundation get past it.
    static func replacingUnpairedSurrogates(_ bytes: [UInt8]) -> [UInt8] {
        func escape(at index: Int) -> UInt16? {
            guard index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else { return nil }
            return UInt16(String(decoding: bytes[(index + 2)..<(index + 6)], as: UTF8.self), radix: 16)
        }
        var result: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\\") {
                result += bytes[index..<(index + 2)]  // an escaped backslash: the next `u` is literal
                index += 2
            } else if let unit = escape(at: index), (0xD800...0xDFFF).contains(unit) {
                if (0xD800...0xDBFF).contains(unit), let low = escape(at: index + 6), (0xDC00...0xDFFF).contains(low) {
                    result += bytes[index..<(index + 12)]
                    index += 12
                } else {
                    result += Array(#"\ufffd"#.utf8)
                    index += 6
                }
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return result
    }

    /// Unix nanoseconds of the two forms the API server writes: metav1.Time
    /// (`2026-11-30T10:15:42Z`) and metav1.MicroTime (`2026-11-30T10:20:01.482913Z`).
    static func unixNanoseconds(_ text: String) -> UInt64? {
        guard text.hasSuffix("Z") else { return nil }
        let parts = text.dropLast().split(separator: "T")
        guard parts.count == 2 else { return nil }
        let date = parts[0].split(separator: "-").compactMap { Int64($0) }
        let clock = parts[1].split(separator: ".")
        let hms = clock[0].split(separator: ":").compactMap { Int64($0) }
        guard date.count == 3, hms.count == 3, clock.count <= 2 else { return nil }
        var fraction: Int64 = 0
        if clock.count == 2 {
            guard clock[1].count <= 9, let digits = Int64(clock[1]) else { return nil }
            fraction = digits
            for _ in clock[1].count..<9 { fraction *= 10 }
        }
        // Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's
        // days_from_civil).
        let (year, month, day) = (date[1] <= 2 ? date[0] - 1 : date[0], date[1], date[2])
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let seconds = days * 86400 + hms[0] * 3600 + hms[1] * 60 + hms[2]
        return UInt64(seconds * 1_000_000_000 + fraction)
    }
}

/// The parts of a served Event that expectations are derived from, read with Foundation
/// (independently of KubeWatch's decoder).
struct ServedEvent: Decodable, Sendable {
    struct Metadata: Decodable, Sendable { var name: String }
    struct Reference: Decodable, Sendable { var kind: String?; var namespace: String?; var fieldPath: String? }
    struct Series: Decodable, Sendable { var count: Int64?; var lastObservedTime: String? }

    var metadata: Metadata
    var involvedObject: Reference?
    var type: String?
    var count: Int64?
    var series: Series?
    var eventTime: String?
    var firstTimestamp: String?
    var lastTimestamp: String?
}

/// One entry of collector_k8s_events.py's output: the receiver's resource and record.
struct CollectorLogs: Decodable, Sendable {
    struct Record: Decodable, Sendable {
        var timeUnixNano: UInt64
        var severityNumber: Int32
        var severityText: String?
        var body: String
        var attributes: [CollectorAttribute]

        enum CodingKeys: String, CodingKey {
            case timeUnixNano = "time_unix_nano", severityNumber = "severity_number", severityText = "severity_text", body, attributes
        }
    }

    var resource: [CollectorAttribute]
    var record: Record
}

/// `[key, {"string": v}]` or `[key, {"int": n}]`, held as our attribute value type so
/// values compare directly.
struct CollectorAttribute: Decodable, Sendable {
    var key: String
    var value: AttributeValue

    private enum ValueKey: String, CodingKey { case string, int }

    init(from decoder: any Decoder) throws {
        var pair = try decoder.unkeyedContainer()
        key = try pair.decode(String.self)
        let value = try pair.nestedContainer(keyedBy: ValueKey.self)
        if let text = try value.decodeIfPresent(String.self, forKey: .string) {
            self.value = .string(text)
        } else {
            self.value = .int(try value.decode(Int64.self, forKey: .int))
        }
    }
}

private extension LogRecord {
    subscript(key: String) -> AttributeValue? {
        attributes.first { $0.key == key }?.value
    }
}
