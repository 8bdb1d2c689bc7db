/// An object's key in a store: its UID, held as 128 bits when it is a lower-case UUID
/// (every UID the API server makes), so that 100 000 keys are not 100 000 strings.
public enum StoreKey: Hashable, Sendable {
    case uuid(UInt64, UInt64)
    case text(String)

    public init(_ key: String) {
        var key = key
        // Packed on the stack and read as two big-endian words: keys are made for
        // every upsert, so no array for 16 bytes.
        let packed: (UInt64, UInt64)? = key.withUTF8 { utf8 in
            guard IdentifierPacking.isUUID(utf8) else { return nil }
            var words: (UInt64, UInt64) = (0, 0)
            withUnsafeMutableBytes(of: &words) { raw in
                IdentifierPacking.packUUID(utf8, into: raw.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
            return (UInt64(bigEndian: words.0), UInt64(bigEndian: words.1))
        }
        if let packed {
            self = .uuid(packed.0, packed.1)
        } else {
            self = .text(key)
        }
    }

    /// The UID as the API writes it.
    public var string: String {
        switch self {
        case .text(let text):
            return text
        case .uuid(let high, let low):
            var bytes: [UInt8] = []
            for word in [high, low] {
                for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
            }
            var text: [UInt8] = []
            bytes.withUnsafeBufferPointer { IdentifierPacking.appendUUIDText($0, to: &text) }
            return String(decoding: text, as: UTF8.self)
        }
    }
}
