import CJSONMarks

/// Finds where one JSON value ends, over as many pieces of input as it arrives in: the
/// state between pieces is the nesting depth, whether the scan is inside a string, and
/// whether the next byte is escaped. The LIST splitter and the reader's skip share it,
/// and between them they see most of a list's bytes, so a value's inside goes 64 bytes
/// at a time: the bytes are classified at once (quotes, backslashes, brackets as bit
/// masks), strings are masked out with a prefix XOR of the unescaped quotes, and a run
/// in which the value cannot end (fewer closing brackets than the depth) costs a few
/// word operations whatever it holds. The shorter stretches (the tail of a piece of
/// input, a string or scalar at the top) go byte by byte with the same state.
///
/// The value must begin with `{`, `[` or `"`; only brackets, quotes and escapes are
/// looked at, so what lies between them is the decoder's to check. A backslash escapes
/// the next byte wherever it stands, as in the runs' arithmetic: outside a string it is
/// not JSON, and both ways of scanning must read such bytes alike.
struct JSONValueScan {
    enum Outcome: Equatable {
        /// The value's last byte is just before this index.
        case end(Int)
        /// The bytes ran out inside the value; the state is kept for the next ones.
        case more
        /// The opening bracket at this index nests deeper than the limit.
        case tooDeep(Int)
    }

    /// Open brackets not yet closed.
    private(set) var depth = 0
    private(set) var inString = false
    /// The next byte follows an escaping backslash.
    private var escapeNext = false
    /// The most brackets the value may have open at once.
    let depthLimit: Int

    init(depthLimit: Int = .max) {
        self.depthLimit = max(depthLimit, 0)
    }

    /// Scans `base[start..<end]`.
    mutating func scan(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Outcome {
        var index = start
        while index < end {
            if end - index >= 64, depth > 0 || (!inString && Self.isOpen(base[index])) {
                if let outcome = scanBlock(base + index, at: index) { return outcome }
                index += 64
                continue
            }
            if inString && !escapeNext {
                index = JSONByteScan.nextQuoteOrBackslash(base, from: index, end: end)
                guard index < end else { break }
            }
            let byte = base[index]
            index += 1
            if escapeNext {
                escapeNext = false
            } else if byte == UInt8(ascii: "\\") {
                escapeNext = true
            } else if inString {
                // The search above stopped at this quote (or a backslash, taken above).
                if byte == UInt8(ascii: "\"") {
                    inString = false
                    if depth == 0 { return .end(index) }
                }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if Self.isOpen(byte) {
                guard depth < depthLimit else { return .tooDeep(index - 1) }
                depth += 1
            } else if byte | 0x20 == UInt8(ascii: "}") {
                depth -= 1
                if depth <= 0 { return finished(at: index) }
            }
        }
        return .more
    }

    /// One run of 64 bytes at `index`: the value's end or the depth limit within it, or
    /// nil with the state carried past it.
    private mutating func scanBlock(_ bytes: UnsafePointer<UInt8>, at index: Int) -> Outcome? {
        let marks = telegen_json_marks64(bytes)
        let escaped = escapedBytes(marks.backslashes)
        // Bit i is set from an opening quote up to, not including, its closing quote.
        let strings = Self.prefixXOR(marks.quotes & ~escaped) ^ (inString ? ~0 : 0)
        inString = strings >> 63 != 0
        let opens = marks.opens & ~(strings | escaped), closes = marks.closes & ~(strings | escaped)
        // Counting bits is a dozen instructions without a POPCNT the build may use:
        // runs with no bracket (inside long strings) or no closing one count less.
        if opens | closes == 0 { return nil }
        let openCount = opens.nonzeroBitCount
        if closes == 0 && depth > 0 && depthLimit - depth >= openCount {
            depth += openCount
            return nil
        }
        let closeCount = closes.nonzeroBitCount
        if depth > closeCount && depthLimit - depth >= openCount {
            depth += openCount - closeCount
            return nil
        }
        var brackets = opens | closes
        while brackets != 0 {
            let bit = brackets.trailingZeroBitCount
            if opens & (1 << UInt64(bit)) != 0 {
                guard depth < depthLimit else { return .tooDeep(index + bit) }
                depth += 1
            } else {
                depth -= 1
                if depth <= 0 { return finished(at: index + bit + 1) }
            }
            brackets &= brackets &- 1
        }
        return nil
    }

    /// The value closed just before `index` (outside any string).
    private mutating func finished(at index: Int) -> Outcome {
        depth = 0
        inString = false
        escapeNext = false
        return .end(index)
    }

    /// The bytes of a run that follow an escaping backslash, given its backslashes; an
    /// escape is a backslash that is not itself escaped, so of a series of them every
    /// other one escapes and the byte after an odd series is escaped. Series are told
    /// apart by whether they start on an odd or even byte, with one subtraction (the
    /// method is simdjson's). Carries whether the next run's first byte is escaped.
    private mutating func escapedBytes(_ backslashes: UInt64) -> UInt64 {
        let carried: UInt64 = escapeNext ? 1 : 0
        guard backslashes != 0 else {
            escapeNext = false
            return carried
        }
        let odd: UInt64 = 0xAAAA_AAAA_AAAA_AAAA
        let starts = backslashes & ~carried
        let codes = (((starts << 1) | odd) &- starts) ^ odd
        escapeNext = (codes & backslashes) >> 63 != 0
        return codes ^ (backslashes | carried)
    }

    /// Bit i of the result is the XOR of bits 0...i of `bits`.
    private static func prefixXOR(_ bits: UInt64) -> UInt64 {
        var x = bits
        x ^= x << 1
        x ^= x << 2
        x ^= x << 4
        x ^= x << 8
        x ^= x << 16
        x ^= x << 32
        return x
    }

    /// `{` or `[`, which differ only in bit 0x20.
    private static func isOpen(_ byte: UInt8) -> Bool {
        byte | 0x20 == UInt8(ascii: "{")
    }
}
