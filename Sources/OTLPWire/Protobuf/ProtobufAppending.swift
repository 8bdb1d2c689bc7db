/// Protobuf wire format appended to a growing buffer: for encoders that do not know
/// sizes up front and wrap finished content instead (`OTLPMetricsStreamEncoder`).
/// Writes the same bytes as `ProtobufWriter`.
extension Array where Element == UInt8 {
    @inline(__always)
    mutating func appendVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        append(UInt8(value))
    }

    @inline(__always)
    mutating func appendTag(_ field: Int, _ wireType: ProtobufWireType) {
        appendVarint(UInt64(field << 3 | wireType.rawValue))
    }

    @inline(__always)
    mutating func appendFixed64(_ field: Int, _ value: UInt64) {
        appendTag(field, .fixed64)
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    mutating func appendString(_ field: Int, _ value: String) {
        appendTag(field, .lengthDelimited)
        var value = value
        value.withUTF8 { utf8 in
            appendVarint(UInt64(utf8.count))
            append(contentsOf: utf8)
        }
    }

    mutating func appendString(_ field: Int, _ utf8: UnsafeBufferPointer<UInt8>) {
        appendTag(field, .lengthDelimited)
        appendVarint(UInt64(utf8.count))
        append(contentsOf: utf8)
    }

    /// A length-delimited field holding `content`.
    mutating func appendMessage(_ field: Int, _ content: [UInt8]) {
        appendTag(field, .lengthDelimited)
        appendVarint(UInt64(content.count))
        append(contentsOf: content)
    }

    @inline(__always)
    mutating func appendMessageHeader(_ field: Int, contentSize: Int) {
        appendTag(field, .lengthDelimited)
        appendVarint(UInt64(contentSize))
    }
}

extension OTLPResource {
    /// The resource as field `field` of its parent.
    func encoded(_ field: Int) -> [UInt8] {
        ProtobufWriter.build(size: ProtobufSize.message(field, contentSize: contentSize)) { write(field, to: &$0) }
    }
}

extension OTLPScope {
    func encoded(_ field: Int) -> [UInt8] {
        ProtobufWriter.build(size: ProtobufSize.message(field, contentSize: contentSize)) { write(field, to: &$0) }
    }
}
