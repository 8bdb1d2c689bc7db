@testable import KubeWatch
import Testing

/// The LIST splitter: a response cut into chunks anywhere gives the same pieces as the
/// response whole, strings hide brackets and quotes, and what is not a list is refused.
struct ListItemSplitterTests {
    struct Split: Equatable {
        var members: [String: String] = [:]
        var items: [String] = []
    }

    static func split(_ chunks: [[UInt8]], limit: Int = 1 << 20) throws -> (Split, largest: Int) {
        var splitter = ListItemSplitter(maximumUnitBytes: limit)
        var split = Split()
        for chunk in chunks {
            try chunk.withUnsafeBufferPointer { buffer in
                try splitter.append(buffer) { piece, bytes in
                    let text = String(decoding: bytes, as: UTF8.self)
                    switch piece {
                    case .item: split.items.append(text)
                    case .member(let key): split.members[key] = text
                    }
                }
            }
        }
        try splitter.finish()
        return (split, splitter.largest)
    }

    static let list = """
        {"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"42","continue":""},
         "items":[ {"metadata":{"name":"a\\"]}","labels":{"x":"[{"}}},
                   {"metadata":{"name":"b\\\\"},"spec":{"n":[1,2.5e3,-3,true,false,null]}} ,
                   "odd", 7, null, [] ],
         "extra": -1.5e-3, "flag" : true}
        """

    @Test func everySplitPointGivesTheWholeResponsesPieces() throws {
        let bytes = Array(Self.list.utf8)
        let (whole, _) = try Self.split([bytes])
        #expect(whole.items == [#"{"metadata":{"name":"a\"]}","labels":{"x":"[{"}}}"#,
                                #"{"metadata":{"name":"b\\"},"spec":{"n":[1,2.5e3,-3,true,false,null]}}"#,
                                #""odd""#, "7", "null", "[]"])
        #expect(whole.members == ["kind": #""PodList""#, "apiVersion": #""v1""#,
                                  "metadata": #"{"resourceVersion":"42","continue":""}"#, "extra": "-1.5e-3", "flag": "true"])
        for cut in 1..<bytes.count {
            let (parts, _) = try Self.split([Array(bytes[..<cut]), Array(bytes[cut...])])
            #expect(parts == whole, "cut at \(cut)")
        }
        let (bytewise, _) = try Self.split(bytes.map { [$0] })
        #expect(bytewise == whole)
    }

    /// Items a taker consumes in place (as a sink decoding from the chunk does) come
    /// out the same as scanned ones wherever the response is cut: an item that goes on
    /// past its chunk, or that the taker refuses, is scanned and delivered instead, and
    /// the taker never sees more than the unit limit.
    @Test func itemsTakenInPlaceMatchTheScannedOnes() throws {
        let bytes = Array(Self.list.utf8)
        let (whole, _) = try Self.split([bytes])
        for cut in 0...bytes.count {
            var items: [String] = [], takenCount = 0, largestOffer = 0
            var splitter = ListItemSplitter(maximumUnitBytes: 100)
            for chunk in [Array(bytes[..<cut]), Array(bytes[cut...])] {
                try chunk.withUnsafeBufferPointer { buffer in
                    try splitter.append(buffer, takeItem: { prefix in
                        largestOffer = max(largestOffer, prefix.count)
                        var reader = JSONReader(prefix)
                        // Refuses the second object, as a sink refuses one that does not decode.
                        guard (try? reader.skipValue()) != nil, !String(decoding: prefix, as: UTF8.self).hasPrefix(#"{"metadata":{"name":"b"#) else {
                            return nil
                        }
                        items.append(String(decoding: UnsafeBufferPointer(rebasing: prefix[..<reader.offset]), as: UTF8.self))
                        takenCount += 1
                        return reader.offset
                    }) { piece, value in
                        if case .item = piece { items.append(String(decoding: value, as: UTF8.self)) }
                    }
                }
            }
            try splitter.finish()
            #expect(items == whole.items, "cut at \(cut)")
            #expect(largestOffer <= 100)
            // The first object (49 bytes) is taken whenever a chunk holds all of it.
            if cut == 0 || cut >= bytes.count { #expect(takenCount == 1, "cut at \(cut)") }
        }
    }

    /// Strings longer than the eight bytes the scan looks at at once, with escaped
    /// quotes and backslashes at every position relative to those eight and to the cut.
    @Test func longStringsWithEscapesAtEveryPosition() throws {
        var items: [String] = []
        for before in 0..<18 {
            let name = String(repeating: "x", count: before) + #"\"]}\\"# + String(repeating: "y", count: 17 - before)
            items.append(#"{"name":""# + name + #"","v":[{"k":"}"}]}"#)
        }
        let bytes = Array((#"{"items":["# + items.joined(separator: ",") + "]}").utf8)
        #expect(try Self.split([bytes]).0.items == items)
        for cut in stride(from: 1, to: bytes.count, by: 3) {
            #expect(try Self.split([Array(bytes[..<cut]), Array(bytes[cut...])]).0.items == items, "cut at \(cut)")
        }
    }

    /// A Table's rows are its items; an empty or null list has none.
    @Test func tableRowsAndEmptyLists() throws {
        let (table, _) = try Self.split([Array(#"{"columnDefinitions":[{"name":"Name"}],"rows":[{"cells":["a"]}]}"#.utf8)])
        #expect(table.items == [#"{"cells":["a"]}"#] && table.members["columnDefinitions"] == #"[{"name":"Name"}]"#)
        let (empty, _) = try Self.split([Array(#"{"metadata":{},"items":[]}"#.utf8)])
        #expect(empty.items.isEmpty)
        let (null, _) = try Self.split([Array(#" {"items":null} "#.utf8)])
        #expect(null.items.isEmpty && null.members["items"] == "null")
        _ = try Self.split([Array("{}".utf8)])
    }

    /// Only the unfinished item is held, never the list: 200 items of 1 KiB in 4 KiB
    /// chunks hold about one item at a time.
    @Test func holdsOneItemNotTheList() throws {
        let item = #"{"data":""# + String(repeating: "x", count: 1000) + #""}"#
        let text = #"{"items":["# + Array(repeating: item, count: 200).joined(separator: ",") + "]}"
        let bytes = Array(text.utf8)
        let chunks = stride(from: 0, to: bytes.count, by: 4096).map { Array(bytes[$0..<min($0 + 4096, bytes.count)]) }
        let (split, largest) = try Self.split(chunks)
        #expect(split.items.count == 200 && split.items.allSatisfy { $0 == item })
        #expect(largest <= item.utf8.count, "held \(largest) bytes of a \(bytes.count)-byte list")
    }

    @Test func anItemOverTheLimitIsRefused() throws {
        let big = #"{"items":[{"a":""# + String(repeating: "x", count: 5000) + #""}]}"#
        // Whole, in one chunk, and cut into pieces.
        #expect(throws: ListItemSplitter.TooLarge.self) { _ = try Self.split([Array(big.utf8)], limit: 4096) }
        let bytes = Array(big.utf8)
        let chunks = stride(from: 0, to: bytes.count, by: 1000).map { Array(bytes[$0..<min($0 + 1000, bytes.count)]) }
        #expect(throws: ListItemSplitter.TooLarge.self) { _ = try Self.split(chunks, limit: 4096) }
        _ = try Self.split(chunks, limit: 8192)
    }

    @Test(arguments: [
        "[1,2]", #"{"items":[1,2}"#, #"{"items":[1 2]}"#, #"{"a" 1}"#, #"{a:1}"#, #"{"items":[1,2]} x"#,
        #"{"items":[{"a":1}"#, #"{"a":"#, "", #"{"items":[,1]}"#, #"{"a":1,}"#,
    ])
    func notAListIsRefused(_ text: String) {
        #expect(throws: (any Error).self, "\(text)") { _ = try Self.split([Array(text.utf8)]) }
    }
}
