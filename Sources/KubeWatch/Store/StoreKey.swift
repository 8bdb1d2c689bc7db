/// An object's key in a store: its UID, held as 128 bits when it is a lower-case UUID
/// (every UID the API server makes), so that 100 000 keys are not 100 000 strings.
enum StoreKey: Hashable, Sendable {
    case uuid(UInt64, UInt64)
    case text(String)

    init(_ key: String) {
        var key = key
        let packed: [UInt8]? = key.withUTF8 { $0.count == 36 ? IdentifierPacking.uuid($0) : nil }
        if let packed {
            let high = packed[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let low = packed[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            self = .uuid(high, low)
        } else {
            self = .text(key)
        }
    }
}
