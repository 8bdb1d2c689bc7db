/// Splits a LIST response — one JSON object whose `items` array (a Table's `rows`)
/// holds the objects — into its top-level members and its items as the bytes arrive,
/// so that a list of any length is decoded object by object and never held whole: the
/// watch cache answers a `resourceVersion=0` list in one response, hundreds of MiB in a
/// large cluster.
///
/// At most one unfinished item or member is kept, up to `maximumUnitBytes` (an item
/// passing it is an error, not a buffer that grows with what the peer sends); an item
/// that lies within one chunk is handed over in place, uncopied. Each byte is looked at
/// once, however the chunks fall (an item's inside 64 bytes at a time, `JSONValueScan`). The structure is checked only as far as splitting
/// needs (strings, nesting, the top-level punctuation): each piece is parsed on its own
/// afterwards, so a malformed item costs only itself.
struct ListItemSplitter {
    /// What a piece of the response is.
    enum Piece: Equatable {
        /// A member of the list object other than its items (`metadata`, `kind`, a
        /// Table's `columnDefinitions`), with its key as sent.
        case member(String)
        /// One element of `items` or `rows`.
        case item
    }

    struct TooLarge: Error {
        var limit: Int
    }

    struct Malformed: Error, CustomStringConvertible {
        var offset: Int
        var reason: String
        var description: String { "a LIST response that is not a JSON object with an items array (byte \(offset)): \(reason)" }
    }

    let maximumUnitBytes: Int
    /// The most bytes of one unfinished piece held at once.
    private(set) var largest = 0

    private enum Phase {
        case start, beforeKey(first: Bool), key, afterKey, beforeValue, afterMember
        case beforeItem(first: Bool), afterItem, done
    }

    private var phase = Phase.start
    private var key: [UInt8] = []
    private var keyEscape = false
    /// Bytes before the current chunk: where errors are.
    private var offset = 0
    /// The length of the last item, taken or scanned: an item is offered to `takeItem`
    /// only when the chunk has twice that left, since one that runs past the chunk is
    /// decoded in vain before it is scanned (at 64 KiB chunks of 7 KB pods, an eighth of
    /// them, as much work wasted as the scans saved; chunks are now up to 256 KiB).
    private var lastItemBytes = 0

    // The piece being scanned.
    private var inPiece = false
    private var pieceIsItem = false
    private var value = JSONValueScan()
    private var scalar = false
    /// The piece's beginning, when it began in an earlier chunk.
    private var pending: [UInt8] = []

    /// Keys are short; one longer than this is not an API list.
    private static let maximumKeyBytes = 1024

    init(maximumUnitBytes: Int) {
        self.maximumUnitBytes = maximumUnitBytes
    }

    /// Scans one chunk, calling `deliver` with every piece it completes (the bytes are
    /// valid only during the call).
    ///
    /// `takeItem`, when given, is offered each object item that starts in the chunk,
    /// as the chunk's bytes from the item's first byte on (up to `maximumUnitBytes`
    /// of them): it may consume the item itself (decoding it in place, which finds its
    /// end) and return its length, and the scan skips it; nil, and the item is scanned
    /// and delivered as any other (it goes on past the chunk, or does not decode).
    /// Most items then cost one pass over their bytes instead of two. An item is not
    /// offered when the chunk's rest is short of twice the last item's length (see
    /// `lastItemBytes`).
    mutating func append(_ chunk: UnsafeBufferPointer<UInt8>,
                         takeItem: ((UnsafeBufferPointer<UInt8>) -> Int?)? = nil,
                         _ deliver: (Piece, UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        guard let base = chunk.baseAddress else { return }
        let count = chunk.count
        defer { offset += count }
        var index = 0
        var pieceStart = 0
        while index < count {
            if inPiece {
                guard let end = scanPiece(base, from: index, count: count) else {
                    pending.append(contentsOf: UnsafeBufferPointer(start: base + pieceStart, count: count - pieceStart))
                    largest = max(largest, pending.count)
                    guard pending.count <= maximumUnitBytes else { throw TooLarge(limit: maximumUnitBytes) }
                    return
                }
                let piece: Piece = pieceIsItem ? .item : .member(String(decoding: key, as: UTF8.self))
                inPiece = false
                phase = pieceIsItem ? .afterItem : .afterMember
                if pending.isEmpty {
                    guard end - pieceStart <= maximumUnitBytes else { throw TooLarge(limit: maximumUnitBytes) }
                    if pieceIsItem { lastItemBytes = end - pieceStart }
                    try deliver(piece, UnsafeBufferPointer(start: base + pieceStart, count: end - pieceStart))
                } else {
                    pending.append(contentsOf: UnsafeBufferPointer(start: base, count: end))
                    largest = max(largest, pending.count)
                    guard pending.count <= maximumUnitBytes else { throw TooLarge(limit: maximumUnitBytes) }
                    if pieceIsItem { lastItemBytes = pending.count }
                    try pending.withUnsafeBufferPointer { try deliver(piece, $0) }
                    pending.removeAll(keepingCapacity: pending.capacity <= 1 << 20)
                }
                index = end
                continue
            }
            let byte = base[index]
            if Self.isWhitespace(byte) && !isKey {
                index += 1
                continue
            }
            switch phase {
            case .start:
                guard byte == UInt8(ascii: "{") else { throw malformed(at: index, "expected an object") }
                phase = .beforeKey(first: true)
            case .beforeKey(let first):
                if byte == UInt8(ascii: "}") && first {
                    phase = .done
                } else {
                    guard byte == UInt8(ascii: "\"") else { throw malformed(at: index, "expected a key") }
                    key.removeAll(keepingCapacity: true)
                    phase = .key
                }
            case .key:
                if keyEscape {
                    keyEscape = false
                } else if byte == UInt8(ascii: "\\") {
                    keyEscape = true
                } else if byte == UInt8(ascii: "\"") {
                    phase = .afterKey
                    index += 1
                    continue
                }
                key.append(byte)
                guard key.count <= Self.maximumKeyBytes else { throw malformed(at: index, "a key longer than \(Self.maximumKeyBytes) bytes") }
            case .afterKey:
                guard byte == UInt8(ascii: ":") else { throw malformed(at: index, "expected ':'") }
                phase = .beforeValue
            case .beforeValue:
                if byte == UInt8(ascii: "[") && (key == Self.items || key == Self.rows) {
                    phase = .beforeItem(first: true)
                } else {
                    try startPiece(byte, at: index, item: false)
                    pieceStart = index
                    continue
                }
            case .afterMember:
                if byte == UInt8(ascii: ",") {
                    phase = .beforeKey(first: false)
                } else {
                    guard byte == UInt8(ascii: "}") else { throw malformed(at: index, "expected ',' or '}'") }
                    phase = .done
                }
            case .beforeItem(let first):
                if byte == UInt8(ascii: "]") && first {
                    phase = .afterMember
                } else if byte == UInt8(ascii: "{"), let takeItem, count - index >= 2 * lastItemBytes,
                          // No more than the limit is offered: a larger item cannot be
                          // taken, and the scan refuses it as it refuses any.
                          let taken = takeItem(UnsafeBufferPointer(start: base + index, count: min(count - index, maximumUnitBytes))),
                          taken > 0, taken <= min(count - index, maximumUnitBytes) {
                    lastItemBytes = taken
                    phase = .afterItem
                    index += taken
                    continue
                } else {
                    try startPiece(byte, at: index, item: true)
                    pieceStart = index
                    continue
                }
            case .afterItem:
                if byte == UInt8(ascii: ",") {
                    phase = .beforeItem(first: false)
                } else {
                    guard byte == UInt8(ascii: "]") else { throw malformed(at: index, "expected ',' or ']'") }
                    phase = .afterMember
                }
            case .done:
                throw malformed(at: index, "data after the list")
            }
            index += 1
        }
    }

    /// The response has ended: it must have been a whole list.
    func finish() throws(Malformed) {
        guard case .done = phase else {
            throw Malformed(offset: offset, reason: "the response ended inside the list")
        }
    }

    private var isKey: Bool {
        if case .key = phase { return true }
        return false
    }

    private static let items = Array("items".utf8), rows = Array("rows".utf8)

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\t")
    }

    /// Begins a piece at its first byte, which the scan then looks at.
    private mutating func startPiece(_ byte: UInt8, at index: Int, item: Bool) throws(Malformed) {
        guard byte != UInt8(ascii: ",") && byte != UInt8(ascii: "}") && byte != UInt8(ascii: "]") && byte != UInt8(ascii: ":") else {
            throw malformed(at: index, "expected a value")
        }
        inPiece = true
        pieceIsItem = item
        value = JSONValueScan()
        // A number, true, false or null ends at the punctuation or space after it.
        scalar = byte != UInt8(ascii: "{") && byte != UInt8(ascii: "[") && byte != UInt8(ascii: "\"")
    }

    /// Where the piece ends (the index after its last byte) in this chunk, or nil when
    /// it goes on past it.
    private mutating func scanPiece(_ base: UnsafePointer<UInt8>, from start: Int, count: Int) -> Int? {
        var index = start
        if scalar {
            while index < count {
                let byte = base[index]
                if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") || Self.isWhitespace(byte) {
                    return index
                }
                index += 1
            }
            return nil
        }
        switch value.scan(base, from: index, to: count) {
        case .end(let end): return end
        // `.tooDeep` cannot come: the scan has no depth limit, splitting nests nothing.
        case .more, .tooDeep: return nil
        }
    }

    private func malformed(at index: Int, _ reason: String) -> Malformed {
        Malformed(offset: offset + index, reason: reason)
    }
}
