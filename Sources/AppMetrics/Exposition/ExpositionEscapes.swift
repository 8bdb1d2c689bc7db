/// Undoing the exposition formats' backslash escapes.
///
/// Label values (and quoted names) in both formats and OpenMetrics HELP text: `\\`, `\"`,
/// `\n`. Text-format HELP: `\\` and `\n` only. Any other backslash pair is kept as is, as
/// Prometheus' replacer does.
enum ExpositionEscapes {
    /// Appends the unescaped bytes of `p[start..<end]` to `out`.
    static func unescape(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, quotes: Bool, into out: inout [UInt8]) {
        var i = start
        while i < end {
            let b = p[i]
            if b == UInt8(ascii: "\\") && i + 1 < end {
                let n = p[i + 1]
                if n == UInt8(ascii: "\\") { out.append(n); i += 2; continue }
                if n == UInt8(ascii: "n") { out.append(UInt8(ascii: "\n")); i += 2; continue }
                if quotes && n == UInt8(ascii: "\"") { out.append(n); i += 2; continue }
            }
            out.append(b)
            i += 1
        }
    }

    /// A String of `p[start..<end]`, unescaped when `escaped`; the bytes are valid UTF-8.
    static func string(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, escaped: Bool, quotes: Bool = true, scratch: inout [UInt8]) -> String {
        if !escaped {
            return String(decoding: UnsafeBufferPointer(start: p + start, count: end - start), as: UTF8.self)
        }
        scratch.removeAll(keepingCapacity: true)
        unescape(p, start, end, quotes: quotes, into: &scratch)
        return String(decoding: scratch, as: UTF8.self)
    }
}
