/// A growable run of plain values in memory it owns: what `SampleWriter` appends to
/// for every sample and label value. An array asks the runtime whether it is uniquely
/// referenced on every append, a call per label value; this checks only its capacity.
/// Not copyable, so the memory has one owner and is freed once.
struct PlainBuffer<Element: BitwiseCopyable>: ~Copyable {
    private var base: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 64) {
        self.capacity = max(capacity, 8)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        base.deallocate()
    }

    @inline(__always)
    mutating func append(_ element: Element) {
        if count == capacity { grow(to: count + 1) }
        (base + count).initialize(to: element)
        count += 1
    }

    mutating func append(contentsOf elements: UnsafeBufferPointer<Element>) {
        guard let start = elements.baseAddress, elements.count > 0 else { return }
        if capacity - count < elements.count { grow(to: count + elements.count) }
        (base + count).initialize(from: start, count: elements.count)
        count += elements.count
    }

    /// Elements are plain values, so forgetting them needs no deinitialisation.
    mutating func removeAll() {
        count = 0
    }

    subscript(index: Int) -> Element {
        precondition(index >= 0 && index < count, "PlainBuffer index out of range")
        return base[index]
    }

    /// The elements, for the length of `body` (the memory moves as the buffer grows).
    func withUnsafeBufferPointer<Result>(_ body: (UnsafeBufferPointer<Element>) throws -> Result) rethrows -> Result {
        try body(UnsafeBufferPointer(start: base, count: count))
    }

    private mutating func grow(to needed: Int) {
        let newCapacity = max(needed, capacity * 2)
        let grown = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        grown.initialize(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }
}
