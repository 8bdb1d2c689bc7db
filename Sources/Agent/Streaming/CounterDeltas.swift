import TelemetryModel

/// What `temporality: delta` remembers between pushes: each counter series' last
/// value and when it was sent, by a 64-bit hash of family name and labels (a series
/// costs 32 bytes, not its labels). A series not seen in a push is forgotten, so the
/// memory follows the live series, not every series ever seen; the series of a scope
/// the push skipped (its collector had nothing new) are still live and are kept.
struct CounterDeltas {
    private struct Entry {
        var value: Double
        var time: UInt64
        var push: UInt32
        /// The scope (collector) the series belongs to.
        var scope: UInt8
    }

    private var entries: [Int: Entry] = [:]
    private var push: UInt32 = 0

    var count: Int { entries.count }

    mutating func beginPush() {
        push &+= 1
    }

    /// Forgets the series the push just made did not contain, except those of the
    /// `unchanged` scopes, which it did not look at.
    mutating func endPush(unchanged: Set<UInt8> = []) {
        let current = push
        entries = entries.filter { $0.value.push == current || unchanged.contains($0.value.scope) }
    }

    /// The increase since the last push, and where it starts; nil the first time a
    /// series is seen (it only sets a baseline). A counter that went down restarted:
    /// its whole value is new since its own start.
    mutating func delta(key: Int, value: Double, start: UInt64?, at time: UInt64, scope: UInt8 = 0) -> (value: Double, start: UInt64?)? {
        defer { entries[key] = Entry(value: value, time: time, push: push, scope: scope) }
        guard let last = entries[key] else { return nil }
        return value >= last.value ? (value - last.value, last.time) : (value, start)
    }
}

/// A sink that passes families on with counters turned into deltas (`CounterDeltas`);
/// gauges pass through unchanged.
struct DeltaSink<Inner: FamilySink>: FamilySink {
    var inner: Inner
    var deltas: CounterDeltas
    /// The time of the points being written (the scope's collection time).
    var time: UInt64 = 0
    /// The scope being written, which its series' baselines belong to.
    var scope: UInt8 = 0
    private var family = ""
    private var isCounter = false

    init(inner: Inner, deltas: CounterDeltas) {
        self.inner = inner
        self.deltas = deltas
    }

    mutating func beginFamily(_ header: FamilyHeader) {
        family = header.name
        isCounter = header.type == .counter
        inner.beginFamily(header)
    }

    mutating func sample(_ labels: SampleLabels, value: Double, startTimeUnixNano: UInt64?) {
        guard isCounter else { return inner.sample(labels, value: value, startTimeUnixNano: startTimeUnixNano) }
        var hasher = Hasher()
        hasher.combine(family)
        labels.forEach { name, value in
            hasher.combine(name)
            hasher.combine(value.count)
            for byte in value { hasher.combine(byte) }
        }
        guard let delta = deltas.delta(key: hasher.finalize(), value: value, start: startTimeUnixNano, at: time, scope: scope) else { return }
        inner.sample(labels, value: delta.value, startTimeUnixNano: delta.start)
    }
}
