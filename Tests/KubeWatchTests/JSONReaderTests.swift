@testable import KubeWatch
import Testing

/// The pull parser: what API objects contain, and what a broken stream may.
struct JSONReaderTests {
    /// Reads a document into a plain tree, through the parser's API, to compare.
    indirect enum Value: Equatable {
        case object([String: Value]), array([Value]), string(String), number(Double), bool(Bool), null
    }

    static func parse(_ text: String) throws -> Value {
        try parse(Array(text.utf8))
    }

    static func parse(_ bytes: [UInt8]) throws -> Value {
        try bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONReader(buffer)
            let value = try read(&reader)
            try reader.finish()
            return value
        }
    }

    static func read(_ reader: inout JSONReader) throws -> Value {
        switch try reader.peek() {
        case .object:
            var members: [String: Value] = [:]
            try reader.readObject { reader, key in members[key.string] = try read(&reader) }
            return .object(members)
        case .array:
            var elements: [Value] = []
            try reader.readArray { reader in elements.append(try read(&reader)) }
            return .array(elements)
        case .string: return .string(try reader.readString()!)
        case .number: return .number(try reader.readDouble()!)
        case .bool: return .bool(try reader.readBool())
        case .null:
            try reader.skipValue()
            return .null
        }
    }

    @Test func readsEveryKind() throws {
        let value = try Self.parse(#" {"a": [1, -2.5, 3e2, 0.1E-1], "b": {"c": true, "d": false, "e": null}, "f": "x", "g": {}, "h": []} "#)
        #expect(value == .object([
            "a": .array([.number(1), .number(-2.5), .number(300), .number(0.01)]),
            "b": .object(["c": .bool(true), "d": .bool(false), "e": .null]),
            "f": .string("x"), "g": .object([:]), "h": .array([]),
        ]))
    }

    @Test func decodesEscapesAndSurrogatesAndRepairsInvalidUTF8() throws {
        #expect(try Self.parse(#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00""#) == .string("a\"b\\c/d\n\té😀"))
        #expect(try Self.parse(#""lone \ud83d surrogate""#) == .string("lone \u{FFFD} surrogate"))
        #expect(try Self.parse(#"{"k\u0065y": 1}"#) == .object(["key": .number(1)]))
        #expect(try Self.parse([0x22, 0x61, 0xFF, 0x62, 0x22]) == .string("a\u{FFFD}b"))
        #expect(try Self.parse([0x22, 0x5C, 0x6E, 0xC3, 0x28, 0x22]) == .string("\n\u{FFFD}("))
    }

    /// Strings are scanned eight bytes at a time: escapes at every position relative
    /// to those eight, and strings that end exactly on one.
    @Test func escapesAtEveryPositionOfALongString() throws {
        for before in 0..<17 {
            let x = String(repeating: "x", count: before), y = String(repeating: "y", count: 16 - before)
            #expect(try Self.parse(#"{"k":""# + x + #"\"\\"# + y + #"","n":1}"#) == .object(["k": .string(x + "\"\\" + y), "n": .number(1)]))
            #expect(try Self.parse(#"[""# + x + #"",""# + y + #""]"#) == .array([.string(x), .string(y)]))
        }
    }

    /// The word scan stops at control characters too: one at every position of a long
    /// string is refused at its own offset, and the bytes next to 0x20 in value
    /// (space, DEL, UTF-8 lead and continuation bytes) are read as text.
    @Test func controlCharactersAtEveryPositionOfALongStringAreRefused() throws {
        for position in 0..<20 {
            for control: UInt8 in [0x00, 0x09, 0x0A, 0x1F] {
                var text = Array(repeating: UInt8(ascii: "x"), count: 20)
                text[position] = control
                let document = [UInt8(ascii: "\"")] + text + [UInt8(ascii: "\"")]
                #expect(throws: JSONReader.SyntaxError(offset: 1 + position, reason: "control character in a string")) {
                    try Self.parse(document)
                }
            }
            var text = Array(repeating: UInt8(ascii: "x"), count: 20)
            text[position] = 0x20
            text[(position + 7) % 20] = 0x7F
            let plain = String(decoding: text, as: UTF8.self)
            #expect(try Self.parse(#"{"k":""# + plain + #"é"}"#) == .object(["k": .string(plain + "é")]))
        }
    }

    @Test func keysCompareWithoutAllocating() throws {
        let text = Array(#"{"name": "a", "namespace": "b", "nam": "c"}"#.utf8)
        var found: [String] = []
        try text.withUnsafeBufferPointer { buffer in
            var reader = JSONReader(buffer)
            try reader.readObject { reader, key in
                if key == "namespace" { found.append(try reader.readString()!) } else { try reader.skipValue() }
            }
        }
        #expect(found == ["b"])
    }

    @Test func integersAndNulls() throws {
        let text = Array(#"[12, null, -7, 1.5]"#.utf8)
        try text.withUnsafeBufferPointer { buffer in
            var reader = JSONReader(buffer)
            var values: [Int64?] = []
            var failures = 0
            try reader.readArray { reader in
                do {
                    values.append(try reader.readInt())
                } catch {
                    failures += 1
                }
            }
            #expect(values == [12, nil, -7])
            #expect(failures == 1)
        }
    }

    @Test(arguments: [
        "", "{", "{\"a\" 1}", "{\"a\": 1,}", "[1 2]", "[1,]", "\"abc", "tru", "nul", "01x", "-", "1.", "1e", "{\"a\": \"\u{01}\"}",
        "[] []", "\"\\q\"", "\"\\u12\"", String(repeating: "[", count: 100) + String(repeating: "]", count: 100),
    ])
    func rejectsBrokenDocuments(text: String) {
        #expect(throws: (any Error).self) { try Self.parse(text) }
    }
}

/// Skipping is the parser's hot loop (it scans containers as bytes): it must land
/// exactly after the value whatever the strings inside hold, and refuse what is cut off.
struct JSONSkipTests {
    @Test(arguments: [
        #"{"a":"}\"]","b":[1,{"c":"\\\\"}],"d":"\\","e":"x\"y\\\"z{[" }"#,
        #"[[],[[]],{},{"":""},"]]]]\"",-1.5e3,true,false,null]"#,
        #"{"k":"\#(String(repeating: "long string without escapes ", count: 20))\" and an escaped quote"}"#,
        #""plain \"escaped\" \\ string""#, "12.5", "true", "null",
    ])
    func skipsExactlyOneValue(json: String) throws {
        let text = Array((json + " ,\"after\"").utf8)
        try text.withUnsafeBufferPointer { buffer in
            var reader = JSONReader(buffer)
            try reader.skipValue()
            #expect(Array(buffer[reader.offset...]) == Array(" ,\"after\"".utf8))
        }
    }

    @Test(arguments: [#"{"a":"unterminated}"#, #"[1,2,[3]"#, #"{"a":[}"#, #""\"#, String(repeating: "[", count: 100) + String(repeating: "]", count: 100)])
    func refusesWhatIsCutOffOrTooDeep(json: String) {
        let text = Array(json.utf8)
        #expect(throws: JSONReader.SyntaxError.self) {
            try text.withUnsafeBufferPointer { buffer in
                var reader = JSONReader(buffer)
                try reader.skipValue()
            }
        }
    }
}

/// Keys against field names, compared as overlapping words: a key that differs from
/// the name in any one byte, or in length, does not match, at every length around
/// the word sizes; an escaped key compares by its decoded text.
struct JSONKeyTests {
    private static let names: [StaticString] = [
        "a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh", "abcdefghi", "abcdefghijkl",
        "abcdefghijklmno", "abcdefghijklmnop", "abcdefghijklmnopq", "abcdefghijklmnopqrstuvwxyz",
    ]

    @Test func matchesExactlyTheSameBytes() {
        for name in Self.names {
            let text = Array(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            text.withUnsafeBufferPointer { same in
                #expect(JSONKey(bytes: same, decoded: nil) == name)
            }
            for position in text.indices {
                var changed = text
                changed[position] = UInt8(ascii: "Z")
                changed.withUnsafeBufferPointer { other in
                    #expect(!(JSONKey(bytes: other, decoded: nil) == name), "\(changed) at \(position)")
                }
            }
            let longer = text + [UInt8(ascii: "a")]
            longer.withUnsafeBufferPointer { other in
                #expect(JSONKey(bytes: UnsafeBufferPointer(rebasing: other.dropLast()), decoded: nil) == name)
                #expect(!(JSONKey(bytes: other, decoded: nil) == name))
            }
        }
        let empty = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
        #expect(JSONKey(bytes: empty, decoded: "abc") == "abc")
        #expect(!(JSONKey(bytes: empty, decoded: "abd") == "abc"))
    }
}

/// Strings read without a `String` of their own: lent bytes (times parse in place) and
/// values shared from a table of known ones.
struct JSONLentStringTests {
    static func read<Result>(_ text: String, _ body: (inout JSONReader) throws -> Result) throws -> Result {
        try Array(text.utf8).withUnsafeBufferPointer { buffer in
            var reader = JSONReader(buffer)
            let result = try body(&reader)
            try reader.finish()
            return result
        }
    }

    /// The bytes lent are the string's content, escapes decoded; `null` calls nothing;
    /// another kind is refused.
    @Test func lendsTheContentPlainOrUnescaped() throws {
        #expect(try Self.read(#""plain text""#) { try $0.readString { String(decoding: $0, as: UTF8.self) } } == "plain text")
        #expect(try Self.read(#""a\"b\u00e9""#) { try $0.readString { String(decoding: $0, as: UTF8.self) } } == "a\"bé")
        #expect(try Self.read(#""""#) { try $0.readString { $0.count } } == 0)
        var called = false
        #expect(try Self.read("null") { reader in try reader.readString { _ in called = true } } == nil)
        #expect(!called)
        #expect(throws: JSONReader.SyntaxError.self) { try Self.read("12") { try $0.readString { $0.count } } }
    }

    /// A time is parsed where it lies, escaped or not; empty and null leave it unset;
    /// text that is not a time makes the object malformed, naming the text.
    @Test func timesParseInPlace() throws {
        func time(_ json: String) throws -> Timestamp? {
            try Self.read(json) { reader in
                var value: Timestamp?
                try reader.read(&value)
                return value
            }
        }
        #expect(try time(#""2024-04-01T20:07:50Z""#) == Timestamp(seconds: 1_712_002_070))
        #expect(try time(#""2024-04-01T20:07:50\u005a""#) == Timestamp(seconds: 1_712_002_070))
        #expect(try time(#""""#) == nil)
        #expect(try time("null") == nil)
        #expect(throws: MalformedField(field: "time", value: "yesterday")) { try time(#""yesterday""#) }
    }

    /// A known value comes back as the table's own string, equal to what was sent;
    /// anything else (unknown, a near miss, short, escaped) reads as the text it is.
    @Test func knownValuesAreSharedAndOthersReadAsSent() throws {
        let known = KnownStrings(["node.kubernetes.io/not-ready", "PodReadyToStartContainers", "Ready"])
        func value(_ json: String) throws -> String {
            try Self.read(json) { reader in
                var value = "unset"
                try reader.read(&value, known: known)
                return value
            }
        }
        for text in ["node.kubernetes.io/not-ready", "node.kubernetes.io/not-readz", "PodReadyToStartContainers",
                     "PodReadyToStartContainerz", "Ready", "ContainersReady", "node.kubernetes.io/unreachable", ""] {
            #expect(try value("\"\(text)\"") == text)
        }
        #expect(try value(#""node.kubernetes.io\/not-ready""#) == "node.kubernetes.io/not-ready")
        #expect(try value("null") == "")
        // Only values longer than a String keeps inline are kept.
        Array("PodReadyToStartContainers".utf8).withUnsafeBufferPointer { #expect(known.value($0) == "PodReadyToStartContainers") }
        Array("Ready".utf8).withUnsafeBufferPointer { #expect(known.value($0) == nil) }
        Array("PodReadyToStartContainerz".utf8).withUnsafeBufferPointer { #expect(known.value($0) == nil) }
    }
}
