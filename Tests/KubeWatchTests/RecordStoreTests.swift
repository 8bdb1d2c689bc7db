@testable import KubeWatch
import TelemetryModel
import Testing

/// A record layout for these tests: a count, then that many strings, each marked
/// shared (0) or unique (1), then one number.
struct StringsFormat: RecordFormat {
    func release(_ record: inout RecordReader) {
        let count = record.unsigned()
        for _ in 0..<count {
            _ = record.unsigned()
            record.skipString(releasing: true)
        }
    }

    static func write(_ strings: [(String, unique: Bool)], value: Double = 1, into out: inout RecordWriter) {
        out.unsigned(UInt64(strings.count))
        for (text, unique) in strings {
            out.unsigned(unique ? 1 : 0)
            if unique { out.unique(text) } else { out.shared(text) }
        }
        out.double(value)
    }

    static func read(_ record: inout RecordReader) -> (strings: [String], value: Double) {
        let count = record.unsigned()
        var strings: [String] = []
        for _ in 0..<count {
            _ = record.unsigned()
            strings.append(record.string())
        }
        return (strings, record.double())
    }

    /// The strings as a render reads them: in place, through `withString`.
    static func readInPlace(_ record: inout RecordReader) -> [String] {
        let count = record.unsigned()
        var strings: [String] = []
        for _ in 0..<count {
            _ = record.unsigned()
            record.withString { strings.append(String(decoding: $0, as: UTF8.self)) }
        }
        return strings
    }

    /// The strings as a render hands them to a writer: appended to sample labels
    /// (borrowed or spelled in place), with whether each is known plain.
    static func readAsLabels(_ record: inout RecordReader) -> (strings: [String], plain: [Bool]) {
        let count = record.unsigned()
        var labels = SampleLabels()
        for _ in 0..<count {
            _ = record.unsigned()
            record.appendLabelValue(to: &labels)
        }
        var plain: [Bool] = []
        labels.withValues { _, bits in plain = (0..<Int(count)).map { bits & (1 << UInt64($0)) != 0 } }
        return ((0..<labels.valueCount).map(labels.valueString(at:)), plain)
    }
}

struct RecordStoreTests {
    @Test(arguments: [
        "6f1c2a4e-8d3b-4f5a-9c7e-0b1d2e3f4a5b", "6F1C2A4E-8D3B-4F5A-9C7E-0B1D2E3F4A5B", "6f1c2a4e_8d3b-4f5a-9c7e-0b1d2e3f4a5b",
        "containerd://" + String(repeating: "ab", count: 32), "cri-o://" + String(repeating: "0f", count: 32),
        "docker://" + String(repeating: "AB", count: 32), "containerd://" + String(repeating: "a", count: 63), "", "x://",
        "0123456789abcdef0123456789abcdef0123", "ü" + String(repeating: "a", count: 34), "ü\u{0}x",
        "a\"b", "back\\slash", "line\nbreak", "plain-but-longer-than-a-word",
    ])
    func stringsComeBackExactly(text: String) {
        let store = RecordStore(format: StringsFormat())
        store.upsert("x") { StringsFormat.write([(text, true), (text, false)], into: &$0) }
        #expect(store.read(key: "x") { StringsFormat.read(&$0).strings } == [text, text])
        #expect(store.read(key: "x") { StringsFormat.readInPlace(&$0) } == [text, text])
        let asLabels = store.read(key: "x") { StringsFormat.readAsLabels(&$0) }
        #expect(asLabels?.strings == [text, text])
        // Plain is never claimed for a value with something to escape; the shared
        // copy (a table string) knows exactly.
        let escapes = text.utf8.contains { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\n") }
        #expect(asLabels?.plain[1] == !escapes)
        if escapes { #expect(asLabels?.plain[0] == false) }
        // A packed UUID is spelled as hex and dashes: plain.
        if text == "6f1c2a4e-8d3b-4f5a-9c7e-0b1d2e3f4a5b" { #expect(asLabels?.plain[0] == true) }
        store.remove("x")
        #expect(store.footprint.sharedStrings == 0)
    }

    @Test(arguments: [0, 1, -1, 0.5, -0.0, 1.5e9, 9_007_199_254_740_993, -9e15, .nan, .infinity, -.infinity, .leastNonzeroMagnitude,
                      .greatestFiniteMagnitude] as [Double])
    func valuesComeBackExactly(value: Double) {
        let store = RecordStore(format: StringsFormat())
        store.upsert("x") { StringsFormat.write([], value: value, into: &$0) }
        let read = store.read(key: "x") { StringsFormat.read(&$0).value }
        #expect(read?.bitPattern == value.bitPattern || (read?.isNaN == true && value.isNaN))
    }

    /// A record longer than the writer's first buffer, with varints of every width
    /// and inline strings across its growth, comes back whole.
    @Test func aRecordThatOutgrowsItsWriterComesBackWhole() {
        let strings = (0..<200).map { index in (String(repeating: "v", count: index % 40) + "\(index)", unique: index % 3 != 0) }
        var values: [Double] = (0..<64).map { (width: Int) -> Double in Double((UInt64(1) << UInt64(width)) - 1) }
        values += [-1, 0.25, 0x1p62]
        let store = RecordStore(format: StringsFormat())
        store.upsert("x") { out in
            StringsFormat.write(strings, into: &out)
            for value in values { out.double(value) }
        }
        let read = store.read(key: "x") { record in
            let first = StringsFormat.read(&record)
            return (first.strings, (0..<values.count).map { _ in record.double() })
        }
        #expect(read?.0 == strings.map(\.0))
        #expect(read?.1 == values)
    }

    @Test func sharedStringsAreCountedAndFreed() {
        let store = RecordStore(format: StringsFormat())
        store.upsert("a") { StringsFormat.write([("node-1", false), ("shop", false)], into: &$0) }
        store.upsert("b") { StringsFormat.write([("node-1", false), ("kube-system", false)], into: &$0) }
        #expect(store.footprint.sharedStrings == 3)
        store.upsert("a") { StringsFormat.write([("node-2", false)], into: &$0) }  // replaced: node-1 still used by b, shop freed
        #expect(store.footprint.sharedStrings == 3)
        store.remove("b")
        #expect(store.footprint.sharedStrings == 1)
        store.remove("a")
        #expect(store.footprint.sharedStrings == 0)
        #expect(store.count == 0)
    }

    @Test func relistRemovesWhatItDidNotWrite() {
        let store = RecordStore(format: StringsFormat())
        for key in ["a", "b", "c"] { store.upsert(key) { StringsFormat.write([(key, false)], into: &$0) } }
        store.beginRelist()
        store.upsert("b") { StringsFormat.write([("b", false)], into: &$0) }
        store.upsert("d") { StringsFormat.write([("d", false)], into: &$0) }
        let gone = store.endRelist()
        #expect(Set(gone.map(\.string)) == ["a", "c"])
        #expect(store.count == 2)
        #expect(store.footprint.sharedStrings == 2)
    }

    @Test func walksEveryRecordOnceInBatches() {
        let store = RecordStore(format: StringsFormat())
        for index in 0..<1000 { store.upsert("k\(index)") { StringsFormat.write([("v\(index)", true)], into: &$0) } }
        for index in stride(from: 0, to: 1000, by: 3) { store.remove("k\(index)") }
        var seen: [String] = []
        var cursor: Int? = 0
        var batches = 0
        while let start = cursor {
            cursor = store.read(from: start, maximum: 100) { _, _, record in seen.append(StringsFormat.read(&record).strings[0]) }
            batches += 1
        }
        #expect(seen.count == 666 && Set(seen).count == 666)
        #expect(batches == 7)
    }

    @Test func churnIsCompactedAwayAndNothingIsLost() {
        let store = RecordStore(format: StringsFormat())
        let name = { (index: Int, generation: Int) in "pod-\(index)-generation-\(generation)-" + String(repeating: "x", count: 100) }
        for generation in 0..<40 {
            for index in 0..<2000 {
                store.upsert("uid-\(index)") { StringsFormat.write([(name(index, generation), true), ("node-\(index % 3)", false)], into: &$0) }
            }
        }
        #expect(store.count == 2000)
        let footprint = store.footprint
        // 2000 live records of ~140 bytes; holes stay under a third of each full page.
        #expect(footprint.pageBytes - footprint.holeBytes > 2000 * 120)
        #expect(footprint.pageBytes < 2000 * 150 * 2)
        #expect(footprint.sharedStrings == 3)
        for index in 0..<2000 {
            #expect(store.read(key: "uid-\(index)") { StringsFormat.read(&$0).strings[0] } == name(index, 39))
        }
    }

    @Test func keysOfUUIDsArePacked() {
        let uid = "6f1c2a4e-8d3b-4f5a-9c7e-0b1d2e3f4a5b"
        guard case .uuid = StoreKey(uid) else {
            Issue.record("not packed")
            return
        }
        #expect(StoreKey(uid).string == uid)
        #expect(StoreKey("uid-1").string == "uid-1")
    }
}

/// The string table against a dictionary model: random retains and releases, with
/// lookups by content, reference counts, freeing and compaction.
struct StringTableTests {
    @Test func agreesWithADictionaryUnderChurn() {
        let table = StringTable()
        var model: [String: (id: UInt32, references: Int)] = [:]
        var random = SystemRandomNumberGenerator()
        let words = (0..<3000).map { "value-\($0)-" + String(repeating: "x", count: $0 % 40) } + ["", "ü", "a"]
        for _ in 0..<200_000 {
            let word = words[Int.random(in: 0..<words.count, using: &random)]
            if Bool.random(using: &random) || model[word] == nil {
                let id = table.retain(word)
                if let known = model[word] {
                    #expect(known.id == id)
                    model[word] = (id, known.references + 1)
                } else {
                    #expect(!model.values.contains { $0.id == id })
                    model[word] = (id, 1)
                }
            } else if let known = model[word] {
                table.release(known.id)
                model[word] = known.references == 1 ? nil : (known.id, known.references - 1)
            }
        }
        #expect(table.count == model.count)
        for (word, entry) in model { #expect(table[entry.id] == word) }
        for (_, entry) in model { for _ in 0..<entry.references { table.release(entry.id) } }
        #expect(table.count == 0)
    }
}
