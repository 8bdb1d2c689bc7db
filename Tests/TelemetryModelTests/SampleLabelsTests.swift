import Testing
@testable import TelemetryModel

/// `SampleLabels` holds values three ways (copied, borrowed, written in place) and
/// knows which are plain; these check that each reads back as appended through
/// growth, truncation and copy-on-write, and that the writer escapes exactly the
/// values not known plain.
struct SampleLabelsTests {
    private func strings(_ labels: SampleLabels) -> [String] {
        (0..<labels.valueCount).map(labels.valueString(at:))
    }

    @Test func valuesReadBackThroughGrowthWhicheverWayTheyCameIn() {
        let borrowed = Array("borrowed-value".utf8)
        borrowed.withUnsafeBufferPointer { borrowed in
            var labels = SampleLabels()
            var expected: [String] = []
            // Past the initial 256 bytes and 16 values, so both buffers grow with
            // copied values before and after borrowed ones.
            for index in 0..<60 {
                switch index % 3 {
                case 0:
                    let text = String(repeating: "c", count: 20) + "\(index)"
                    labels.appendValue(text)
                    expected.append(text)
                case 1:
                    labels.appendValue(borrowing: borrowed, plain: true)
                    expected.append("borrowed-value")
                default:
                    let digits = Array("\(index * 1000)".utf8)
                    labels.appendValue(writing: 12, plain: true) { target in
                        target.update(from: digits, count: digits.count)
                        return digits.count
                    }
                    expected.append("\(index * 1000)")
                }
            }
            #expect(strings(labels) == expected)

            // A copy keeps its values when the original is cut and refilled, and the
            // original's copied values are its own (the copy's buffer is then rewritten).
            var copy = labels
            labels.truncateValues(to: 5)
            #expect(strings(labels) == Array(expected.prefix(5)))
            labels.appendValue("after")
            #expect(strings(labels) == Array(expected.prefix(5)) + ["after"])
            #expect(strings(copy) == expected)
            copy.removeValues()
            copy.appendValue(String(repeating: "z", count: 300))
            #expect(strings(labels) == Array(expected.prefix(5)) + ["after"])
        }
    }

    @Test func writerEscapesWhatIsNotKnownPlain() {
        let quoted = Array("a\"b".utf8)
        let plain = Array("plain".utf8)
        var labels = SampleLabels()
        labels.names = ["x", "y", "z"]
        plain.withUnsafeBufferPointer { plain in
            quoted.withUnsafeBufferPointer { quoted in
                labels.appendValue(borrowing: plain, plain: true)
                labels.appendValue(borrowing: plain, plain: true)
                // Value 1 was plain; after truncation its place holds a value that is not.
                labels.truncateValues(to: 1)
                labels.appendValue(borrowing: quoted, plain: false)
                labels.appendValue(quoted)
                var writer = ExpositionWriter(format: .prometheusText)
                writer.beginFamily(FamilyHeader(name: "m", help: "h", type: .gauge))
                writer.sample(labels, value: 1, startTimeUnixNano: nil)
                let text = String(decoding: writer.bytes, as: UTF8.self)
                #expect(text.hasSuffix("m{x=\"plain\",y=\"a\\\"b\",z=\"a\\\"b\"} 1\n"), "\(text)")
            }
        }
    }

    /// The plain bits go with their values: removed with them, and none for a value
    /// past the 64th (a shift there must not wrap around to value 0's bit).
    @Test func plainBitsFollowTheirValues() {
        let quoted = Array("a\"b".utf8)
        let plain = Array("p".utf8)
        quoted.withUnsafeBufferPointer { quoted in
            plain.withUnsafeBufferPointer { plain in
                var labels = SampleLabels()
                labels.names = (0..<66).map { "l\($0)" }
                labels.appendValue(borrowing: plain, plain: true)
                labels.removeValues()
                labels.appendValue(borrowing: quoted, plain: false)
                for _ in 1..<66 { labels.appendValue(borrowing: plain, plain: true) }
                var writer = ExpositionWriter(format: .prometheusText)
                writer.beginFamily(FamilyHeader(name: "m", help: "h", type: .gauge))
                writer.sample(labels, value: 1, startTimeUnixNano: nil)
                let text = String(decoding: writer.bytes, as: UTF8.self)
                #expect(text.contains("m{l0=\"a\\\"b\",l1=\"p\""), "\(text)")
                #expect(text.contains(",l65=\"p\"} 1\n"))
            }
        }
    }

    /// The writer copies short pieces as overlapping words: every length around the
    /// word sizes comes out whole, bytes in place.
    @Test func valuesOfEveryLengthAreWrittenWhole() {
        for length in 0...40 {
            let value = (0..<length).map { UInt8(ascii: "a") + UInt8($0 % 26) }
            let expected = String(decoding: value, as: UTF8.self)
            value.withUnsafeBufferPointer { value in
                var labels = SampleLabels()
                labels.names = ["k"]
                labels.appendValue(borrowing: value, plain: true)
                var writer = ExpositionWriter(format: .prometheusText)
                writer.beginFamily(FamilyHeader(name: "m", help: "h", type: .gauge))
                let before = writer.byteCount
                writer.sample(labels, value: 1, startTimeUnixNano: nil)
                let line = String(decoding: writer.bytes[before...], as: UTF8.self)
                #expect(line == "m{k=\"\(expected)\"} 1\n")
            }
        }
    }

    @Test func labelSetsKeptBetweenRendersAreWrittenEscaped() {
        let labels = SampleLabels(LabelSet(names: ["a", "b"], values: ["ok", "line\nbreak"]))
        var writer = ExpositionWriter(format: .prometheusText)
        writer.beginFamily(FamilyHeader(name: "m", help: "h", type: .gauge))
        writer.sample(labels, value: 2, startTimeUnixNano: nil)
        let text = String(decoding: writer.bytes, as: UTF8.self)
        #expect(text.hasSuffix("m{a=\"ok\",b=\"line\\nbreak\"} 2\n"), "\(text)")
    }
}
