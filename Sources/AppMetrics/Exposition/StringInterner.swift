/// One `String` per distinct byte sequence of a body's label names and values.
///
/// A body repeats its label names on every line and most of its values on many (a
/// handler, a mount point, a version): building each point's labels from here costs one
/// hash lookup and a retain instead of decoding and allocating a new string. Strings of
/// up to 15 bytes are held inline and are decoded each time instead.
/// The bytes given are valid UTF-8 (checked by the reader), so decoding never repairs.
struct StringInterner {
    private var keys = SeriesIndex()
    private var strings: [String] = []

    /// The string of `bytes`, made once per distinct value.
    mutating func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        // Up to 15 bytes a String is held inline: decoding is cheaper than a lookup.
        if bytes.count <= 15 { return String(decoding: bytes, as: UTF8.self) }
        let h = SeriesIndex.hash(bytes)
        if let e = keys.find(bytes, hash: h) { return strings[Int(keys.point[e])] }
        let s = String(decoding: bytes, as: UTF8.self)
        keys.insert(bytes, hash: h, family: 0, point: strings.count)
        strings.append(s)
        return s
    }

    /// The string of `p[start..<end]`, unescaped first when `escaped` (`scratch` holds the
    /// unescaped bytes).
    mutating func string(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, escaped: Bool, scratch: inout [UInt8]) -> String {
        if !escaped { return string(UnsafeBufferPointer(start: p + start, count: end - start)) }
        scratch.removeAll(keepingCapacity: true)
        ExpositionEscapes.unescape(p, start, end, quotes: true, into: &scratch)
        return scratch.withUnsafeBufferPointer { string($0) }
    }
}
