/// Finds the point a sample line belongs to from its series key (family index and label
/// set in canonical order, `le`/`quantile` excluded), without allocating per lookup:
/// keys live in one byte arena and the table is open addressing over their hashes. The
/// same table maps family names to families and label strings to `StringInterner`'s
/// strings (there `family` is the family's index, or `point` the string's).
struct SeriesIndex {
    private var slots: [Int32]
    private var hashes: [UInt64] = []
    private var keyStart: [Int] = []
    private var keyLength: [Int] = []
    private var arena: [UInt8] = []
    /// The point each entry names: family index and point index within it.
    private(set) var family: [Int32] = []
    private(set) var point: [Int32] = []

    /// Number of entries (one per point).
    var count: Int { hashes.count }

    init() {
        slots = Array(repeating: -1, count: 1024)
    }

    /// 64-bit hash of a key (word at a time; keys are short).
    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(key.count)
        var i = 0
        guard let p = key.baseAddress else { return h }
        while i + 8 <= key.count {
            let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
            h = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < key.count {
            tail |= UInt64(p[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 29
        return h
    }

    /// The entry for `key`, or nil.
    func find(_ key: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Int? {
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: hash) & mask
        while true {
            let e = Int(slots[s])
            if e < 0 { return nil }
            if hashes[e] == hash && keyLength[e] == key.count && matches(e, key) { return e }
            s = (s + 1) & mask
        }
    }

    /// Adds `key` (not present) for point `point` of family `family`.
    mutating func insert(_ key: UnsafeBufferPointer<UInt8>, hash: UInt64, family f: Int, point p: Int) {
        if (hashes.count + 1) * 2 > slots.count { grow() }
        let e = hashes.count
        hashes.append(hash)
        keyStart.append(arena.count)
        keyLength.append(key.count)
        arena.append(contentsOf: key)
        family.append(Int32(truncatingIfNeeded: f))
        point.append(Int32(truncatingIfNeeded: p))
        place(e)
    }

    private func matches(_ e: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        if key.isEmpty { return true }
        return arena.withUnsafeBufferPointer { memEqual($0.baseAddress! + keyStart[e], key.baseAddress!, key.count) }
    }

    private mutating func place(_ e: Int) {
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: hashes[e]) & mask
        while slots[s] >= 0 { s = (s + 1) & mask }
        slots[s] = Int32(truncatingIfNeeded: e)
    }

    private mutating func grow() {
        slots = Array(repeating: -1, count: slots.count * 2)
        for e in 0..<hashes.count { place(e) }
    }
}
