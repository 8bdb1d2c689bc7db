@testable import KubeWatch

/// libFuzzer entry: any bytes through the JSON reader. Walks the whole document with
/// every typed read the decoders use (strings, numbers, booleans, raw values, skips),
/// so each value kind is both read and skipped; errors are the expected outcome, a trap
/// or a sanitizer report is a bug. The same bytes also go through the LIST splitter as
/// a LIST response would, whole and cut into chunks at a size the first byte picks: both
/// must give the same pieces and the same outcome (a difference traps).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONReader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    var reader = JSONReader(bytes)
    do {
        try walk(&reader, depth: 0)
        try reader.finish()
    } catch {}
    var skipping = JSONReader(bytes)
    do {
        try skipping.skipValue()
        try skipping.finish()
    } catch {}
    var raw = JSONReader(bytes)
    _ = try? raw.readRawValue()
    let chunk = size > 0 ? Int(bytes[0] % 64) + 1 : 1
    let whole = split(bytes, chunk: max(size, 1)), cut = split(bytes, chunk: chunk)
    if whole.pieces != cut.pieces || whole.complete != cut.complete {
        fatalError("the splitter's pieces depend on how the bytes are cut (chunks of \(chunk))")
    }
    let taken = split(bytes, chunk: chunk, takingItems: true)
    if whole.pieces != taken.pieces || whole.complete != taken.complete {
        fatalError("items taken in place differ from the scanned ones (chunks of \(chunk))")
    }
    return 0
}

/// The pieces the LIST splitter gives for `bytes` fed in chunks of `chunk` bytes, and
/// whether it saw a whole list without error (a piece over 4 KiB is refused, so that
/// limit is exercised too). `takingItems` offers each object item to a taker that
/// skips it with the reader, as a sink decoding in place would, and records it.
func split(_ bytes: UnsafeBufferPointer<UInt8>, chunk: Int, takingItems: Bool = false) -> (pieces: [String], complete: Bool) {
    var splitter = ListItemSplitter(maximumUnitBytes: 4096)
    var pieces: [String] = []
    let take: ((UnsafeBufferPointer<UInt8>) -> Int?)? = takingItems ? { prefix in
        var reader = JSONReader(prefix)
        guard (try? reader.skipValue()) != nil else { return nil }
        pieces.append("item: " + String(decoding: UnsafeBufferPointer(rebasing: prefix[..<reader.offset]), as: UTF8.self))
        return reader.offset
    } : nil
    do {
        var start = 0
        while start < bytes.count {
            let end = min(start + chunk, bytes.count)
            try splitter.append(UnsafeBufferPointer(rebasing: bytes[start..<end]), takeItem: take) { piece, value in
                let kind: String
                switch piece {
                case .item: kind = "item"
                case .member(let key): kind = "member " + key
                }
                pieces.append(kind + ": " + String(decoding: value, as: UTF8.self))
            }
            start = end
        }
        try splitter.finish()
        return (pieces, true)
    } catch {
        return (pieces, false)
    }
}

/// Reads one value by its kind, descending into containers; past the reader's own depth limit it skips,
/// as the decoders do for members they do not keep.
func walk(_ reader: inout JSONReader, depth: Int) throws {
    if depth > 80 {
        try reader.skipValue()
        return
    }
    switch try reader.peek() {
    case .object:
        try reader.readObject { reader, key in
            _ = key.string
            try walk(&reader, depth: depth + 1)
        }
    case .array:
        try reader.readArray { reader in try walk(&reader, depth: depth + 1) }
    case .string:
        _ = try reader.readString()
    case .number:
        if depth % 2 == 0 { _ = try reader.readInt() } else { _ = try reader.readDouble() }
    case .bool:
        _ = try reader.readBool()
    default:
        try reader.skipValue()
    }
}
