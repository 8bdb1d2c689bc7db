#if canImport(Glibc)
import Glibc
#endif

/// Values the API sends for many objects alike — condition types and reasons, taint
/// keys, the default scheduler — read as one shared literal instead of a new `String`
/// each time. A string of more than 15 UTF-8 bytes is a heap allocation (and a release
/// when the object is done with), and these are among the longest a pod carries; at
/// 15 bytes or fewer a `String` is stored inline, so only longer values are kept.
public struct KnownStrings: Sendable {
    /// The longest kept values; a value longer than this is never known.
    private static let maximumLength = 64
    /// Kept values by their UTF-8 length, with their bytes to compare against.
    private let byLength: [[(utf8: [UInt8], value: String)]]

    public init(_ values: [String]) {
        var byLength = [[(utf8: [UInt8], value: String)]](repeating: [], count: Self.maximumLength + 1)
        for value in Set(values) where value.utf8.count > 15 && value.utf8.count <= Self.maximumLength {
            byLength[value.utf8.count].append((Array(value.utf8), value))
        }
        self.byLength = byLength
    }

    /// The kept value equal to `utf8`, if any.
    public func value(_ utf8: UnsafeBufferPointer<UInt8>) -> String? {
        guard utf8.count > 15, utf8.count <= Self.maximumLength, let base = utf8.baseAddress else { return nil }
        // `memcmp`, not `ByteWords.equal`: every kept value is over 16 bytes, where that
        // calls `memcmp` as well, and going through it measured more instructions.
        for candidate in byLength[utf8.count] where candidate.utf8.withUnsafeBufferPointer({ memcmp($0.baseAddress!, base, utf8.count) == 0 }) {
            return candidate.value
        }
        return nil
    }
}

extension JSONReader {
    /// A string that is often one of `known`: that value is shared, not copied.
    public mutating func read(_ value: inout String, known: KnownStrings) throws {
        value = try readString { known.value($0) ?? String(decoding: $0, as: UTF8.self) } ?? ""
    }
}
