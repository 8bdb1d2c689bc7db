/// Packing of the identifiers API objects are full of: UUIDs (16 bytes for 36
/// characters) and `scheme://` + 64-hex container IDs (32 bytes for 64).
enum IdentifierPacking {
    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// Hex as bytes at `target`, which has room for half the text's length; call only
    /// when `isHex` (upper case, which it refuses, would not come back the same).
    static func packHex(_ text: UnsafeBufferPointer<UInt8>, into target: UnsafeMutablePointer<UInt8>) {
        for index in 0..<text.count / 2 {
            target[index] = digitValue(text[2 * index]) << 4 | digitValue(text[2 * index + 1])
        }
    }

    /// The value of a digit `nibble` accepted, without a branch: the low four bits
    /// of `0`-`9` are their values, and `a`-`f` (0x61-0x66, bit 6 set) need 9 more.
    @inline(__always)
    private static func digitValue(_ byte: UInt8) -> UInt8 {
        (byte & 0x0F) &+ 9 &* (byte >> 6)
    }

    /// True when `text` is lower-case hex of even length, which `appendHex` packs.
    static func isHex(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        text.count % 2 == 0 && text.allSatisfy { nibble($0) != nil }
    }

    /// True when `text` is a lower-case 8-4-4-4-12 UUID.
    static func isUUID(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard text.count == 36 else { return false }
        for (index, byte) in text.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return false }
            } else if nibble(byte) == nil {
                return false
            }
        }
        return true
    }

    /// A UUID's 16 bytes at `target`; call only when `isUUID`.
    static func packUUID(_ text: UnsafeBufferPointer<UInt8>, into target: UnsafeMutablePointer<UInt8>) {
        guard text.count == 36 else { return }
        var index = 0, written = 0
        while index + 1 < 36 && written < 16 {
            if text[index] == UInt8(ascii: "-") { index += 1; continue }
            target[written] = digitValue(text[index]) << 4 | digitValue(text[index + 1])
            written += 1
            index += 2
        }
    }

    /// The index after `://`, if the text has one.
    static func schemeEnd(_ text: UnsafeBufferPointer<UInt8>) -> Int? {
        guard text.count > 3 else { return nil }
        for index in 0..<(text.count - 2) where text[index] == UInt8(ascii: ":") && text[index + 1] == UInt8(ascii: "/") && text[index + 2] == UInt8(ascii: "/") {
            return index + 3
        }
        return nil
    }

    static func appendHexText(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        append(count: 2 * bytes.count, to: &out) { writeHexText(bytes, to: $0) }
    }

    /// Two lower-case hex digits for each byte value, "00" to "ff", read in place (a
    /// `StaticString` is constant data; a table in a global would be initialised
    /// lazily and checked on every use).
    private static let hexPairs: StaticString = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"

    /// The two digits of `byte`, as they lie in memory.
    @inline(__always)
    private static func hexPair(_ byte: UInt8) -> UInt16 {
        UnsafeRawPointer(hexPairs.utf8Start).loadUnaligned(fromByteOffset: Int(byte) &* 2, as: UInt16.self)
    }

    /// Writes hex into `out`, which has room for twice the bytes.
    static func writeHexText(_ bytes: UnsafeBufferPointer<UInt8>, to out: UnsafeMutableBufferPointer<UInt8>) {
        guard let target = out.baseAddress else { return }
        let raw = UnsafeMutableRawPointer(target)
        for (position, byte) in bytes.enumerated() where 2 * position + 1 < out.count {
            raw.storeBytes(of: hexPair(byte), toByteOffset: 2 * position, as: UInt16.self)
        }
    }

    /// Writes a UUID's 36 characters into `out`; anything but 16 bytes and room for 36
    /// writes nothing. Two digits at a time from a table, on raw pointers: a render
    /// spells a pod's UID once per family section, some forty times per pod.
    static func writeUUIDText(_ bytes: UnsafeBufferPointer<UInt8>, to out: UnsafeMutableBufferPointer<UInt8>) {
        guard bytes.count == 16, out.count >= 36, let source = bytes.baseAddress, let target = out.baseAddress else { return }
        let raw = UnsafeMutableRawPointer(target)
        var index = 0
        for position in 0..<16 {
            if position == 4 || position == 6 || position == 8 || position == 10 {
                raw.storeBytes(of: UInt8(ascii: "-"), toByteOffset: index, as: UInt8.self)
                index &+= 1
            }
            raw.storeBytes(of: hexPair(source[position]), toByteOffset: index, as: UInt16.self)
            index &+= 2
        }
    }

    /// Nothing for anything but 16 bytes, as `writeUUIDText`.
    static func appendUUIDText(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        guard bytes.count == 16 else { return }
        append(count: 36, to: &out) { writeUUIDText(bytes, to: $0) }
    }

    /// Grows `out` by `count` bytes that `write` fills.
    private static func append(count: Int, to out: inout [UInt8], _ write: (UnsafeMutableBufferPointer<UInt8>) -> Void) {
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: count))
        out.withUnsafeMutableBufferPointer { write(UnsafeMutableBufferPointer(rebasing: $0[start...])) }
    }
}
