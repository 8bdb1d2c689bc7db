/// Strict UTF-8 validation of one field (label value, HELP text, quoted name) — the
/// fields Prometheus validates. Rejects overlong forms, surrogates and code points above
/// U+10FFFF, so `String(decoding:)` afterwards never substitutes a replacement character.
enum UTF8Check {
    static func isValid(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        if ByteScan.isASCII(p, start, end) { return true }
        var i = start
        while i < end {
            let b0 = p[i]
            if b0 < 0x80 { i += 1; continue }
            if b0 < 0xC2 || b0 > 0xF4 { return false }
            if b0 < 0xE0 {
                guard i + 1 < end, p[i + 1] & 0xC0 == 0x80 else { return false }
                i += 2
            } else if b0 < 0xF0 {
                guard i + 2 < end else { return false }
                let b1 = p[i + 1], b2 = p[i + 2]
                guard b1 & 0xC0 == 0x80, b2 & 0xC0 == 0x80 else { return false }
                if b0 == 0xE0 && b1 < 0xA0 { return false }   // overlong
                if b0 == 0xED && b1 > 0x9F { return false }   // surrogate
                i += 3
            } else {
                guard i + 3 < end else { return false }
                let b1 = p[i + 1], b2 = p[i + 2], b3 = p[i + 3]
                guard b1 & 0xC0 == 0x80, b2 & 0xC0 == 0x80, b3 & 0xC0 == 0x80 else { return false }
                if b0 == 0xF0 && b1 < 0x90 { return false }   // overlong
                if b0 == 0xF4 && b1 > 0x8F { return false }   // above U+10FFFF
                i += 4
            }
        }
        return true
    }
}
