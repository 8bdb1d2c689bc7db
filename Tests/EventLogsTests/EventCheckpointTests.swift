import EventLogs
import Foundation
import Testing

/// The checkpoint's JSON, as EventCheckpoint documents it:
/// `{"format":"telegen.events/v1","configuration":…,"updated":…,"streams":{key: version}}`.
struct EventCheckpointTests {
    static func parse(_ text: String) -> EventCheckpoint? {
        EventCheckpoint(json: Array(text.utf8))
    }

    @Test func writesTheDocumentedFormat() {
        let checkpoint = EventCheckpoint(configuration: "0123456789abcdef", resourceVersions: ["ns/b": "7", "all": "42", "ns/a": "9"],
                                         updated: 1_760_000_000)
        #expect(checkpoint.json
            == #"{"format":"telegen.events/v1","configuration":"0123456789abcdef","updated":1760000000,"streams":{"all":"42","ns/a":"9","ns/b":"7"}}"# + "\n")
        #expect(EventCheckpoint.format == "telegen.events/v1")
    }

    @Test func isValidJSONForOtherReaders() throws {
        let checkpoint = EventCheckpoint(configuration: "c\"q\\b\nn\u{1}\u{1f}é✓", resourceVersions: ["ns/x\"y": "1"], updated: -5)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(checkpoint.json.utf8)) as? [String: Any])
        #expect(object["format"] as? String == "telegen.events/v1")
        #expect(object["configuration"] as? String == "c\"q\\b\nn\u{1}\u{1f}é✓")
        #expect(object["updated"] as? Int == -5)
        #expect(object["streams"] as? [String: String] == ["ns/x\"y": "1"])
    }

    @Test(arguments: [
        EventCheckpoint(configuration: "abc"),
        EventCheckpoint(configuration: "", resourceVersions: ["all": ""], updated: 0),
        EventCheckpoint(configuration: "f00d", resourceVersions: ["all": "123456789012345"], updated: 1_760_000_000),
        EventCheckpoint(configuration: "c\"q\\b\nn\t\u{1}é✓🚀", resourceVersions: ["ns/a": "1", "ns/b": "2", "ns/\"c\"": "3\\"],
                        updated: Int64.max),
        EventCheckpoint(configuration: "x", resourceVersions: [:], updated: Int64.min),
    ])
    func roundTrips(checkpoint: EventCheckpoint) {
        #expect(EventCheckpoint(json: Array(checkpoint.json.utf8)) == checkpoint)
    }

    @Test func readsWhatAnotherWriterSpelledDifferently() {
        // Other key order, whitespace, escapes, and keys this version does not know.
        let text = """
            { "streams" : { "all" : "5", "ns/a": "\\u0036" },
              "updated": 17, "extra": {"nested": [1, 2, {"x": null}]},
              "configuration": "h\\u00e9", "format": "telegen.events/v1" }
            """
        #expect(Self.parse(text) == EventCheckpoint(configuration: "hé", resourceVersions: ["all": "5", "ns/a": "6"], updated: 17))
    }

    @Test(arguments: [
        "",
        "\n",
        "garbage",
        "{",
        "[]",
        "null",
        "42",
        #"{"format":"telegen.events/v1","configuration":"a","updated":1,"streams":{"all":"5"}"#,  // truncated
        #"{"format":"telegen.events/v1","configuration":"a","updated":1,"streams":{"all":"5"}} trailing"#,
        #"{"format":"telegen.events/v2","configuration":"a","updated":1,"streams":{"all":"5"}}"#,  // a later format
        #"{"format":"other","configuration":"a","updated":1,"streams":{}}"#,
        #"{"configuration":"a","updated":1,"streams":{"all":"5"}}"#,  // no format
        #"{"kind":"ConfigMap","apiVersion":"v1","data":{"all":"5"}}"#,  // someone else's JSON
        #"{"format":"telegen.events/v1","configuration":"a","updated":1,"streams":["all","5"]}"#,
        #"{"format":"telegen.events/v1","configuration":"a","updated":"soon","streams":{}}"#,
    ])
    func refusesWhatIsNotACheckpoint(text: String) {
        #expect(Self.parse(text) == nil)
    }

    @Test func refusesBinaryGarbage() {
        #expect(EventCheckpoint(json: [0xFF, 0xFE, 0x00, 0x7B, 0x22]) == nil)
        #expect(EventCheckpoint(json: Array(repeating: 0x5B, count: 100_000)) == nil)  // "[[[…"
        // Nested without end inside a key this version skips: refused, not a stack overflow.
        let nested = #"{"format":"telegen.events/v1","extra":"# + String(repeating: "[", count: 100_000)
            + String(repeating: "]", count: 100_000) + "}"
        #expect(Self.parse(nested) == nil)
    }
}
