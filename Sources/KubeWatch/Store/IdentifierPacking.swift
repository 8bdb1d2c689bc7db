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

    /// Lower-case hex of even length as bytes appended to `out`; false (and `out`
    /// unchanged) for anything else (upper case would not come back the same).
    static func appendHex(_ text: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) -> Bool {
        guard text.count % 2 == 0 else { return false }
        let start = out.count
        var index = 0
        while index < text.count {
            guard let high = nibble(text[index]), let low = nibble(text[index + 1]) else {
                out.removeSubrange(start...)
                return false
            }
            out.append(high << 4 | low)
            index += 2
        }
        return true
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

    /// Appends a UUID's 16 bytes; call only when `isUUID`.
    static func appendUUID(_ text: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var index = 0
        while index < 36 {
            if text[index] == UInt8(ascii: "-") { index += 1; continue }
            out.append(nibble(text[index])! << 4 | nibble(text[index + 1])!)
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

    /// The lower-case hex digit of a nibble (computed: a table would be a lazily
    /// initialised global, checked on every use).
    @inline(__always)
    private static func digit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") &+ nibble : UInt8(ascii: "a") &+ (nibble &- 10)
    }

    static func appendHexText(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        for byte in bytes {
            out.append(digit(byte >> 4))
            out.append(digit(byte & 0xF))
        }
    }

    /// Writes hex into `out`, which has room for twice the bytes.
    static func writeHexText(_ bytes: UnsafeBufferPointer<UInt8>, to out: UnsafeMutableBufferPointer<UInt8>) {
        var index = 0
        for byte in bytes where index + 1 < out.count {
            out[index] = digit(byte >> 4)
            out[index + 1] = digit(byte & 0xF)
            index += 2
        }
    }

    /// Writes a UUID's 36 characters into `out`; anything but 16 bytes and room for 36
    /// writes nothing. On raw pointers, without bounds checks per byte: a render spells a
    /// pod's UID once per family section, some forty times per pod.
    static func writeUUIDText(_ bytes: UnsafeBufferPointer<UInt8>, to out: UnsafeMutableBufferPointer<UInt8>) {
        guard bytes.count == 16, out.count >= 36, let source = bytes.baseAddress, let target = out.baseAddress else { return }
        var index = 0
        for position in 0..<16 {
            if position == 4 || position == 6 || position == 8 || position == 10 {
                target[index] = UInt8(ascii: "-")
                index &+= 1
            }
            let byte = source[position]
            target[index] = digit(byte >> 4)
            target[index &+ 1] = digit(byte & 0xF)
            index &+= 2
        }
    }

    static func appendUUIDText(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { out.append(UInt8(ascii: "-")) }
            out.append(digit(byte >> 4))
            out.append(digit(byte & 0xF))
        }
    }
}
