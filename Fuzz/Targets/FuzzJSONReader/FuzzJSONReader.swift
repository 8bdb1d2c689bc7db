@testable import KubeWatch

/// libFuzzer entry: any bytes through the JSON reader. Walks the whole document with
/// every typed read the decoders use (strings, numbers, booleans, raw values, skips),
/// so each value kind is both read and skipped; errors are the expected outcome, a trap
/// or a sanitizer report is a bug.
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
    return 0
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
