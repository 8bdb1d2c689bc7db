/// A growable run of plain values in memory it owns: what a record writer or a
/// sample writer appends to a byte or a label at a time. An array asks the runtime
/// whether it is uniquely referenced on every append, a call per byte; this checks
/// only its capacity. Not copyable, so the memory has one owner and is freed once.
///
/// Inlinable throughout, so that the modules that write through it specialize and
/// inline it as if it were their own.
public struct PlainBuffer<Element: BitwiseCopyable>: ~Copyable {
    @usableFromInline var base: UnsafeMutablePointer<Element>
    @usableFromInline var capacity: Int
    /// Elements written so far (set only through this type's methods).
    @usableFromInline var written = 0

    public var count: Int {
        @inlinable get { written }
    }

    @inlinable
    public init(capacity: Int = 64) {
        self.capacity = max(capacity, 8)
        base = .allocate(capacity: self.capacity)
    }

    @inlinable
    deinit {
        base.deallocate()
    }

    @inlinable @inline(__always)
    public mutating func append(_ element: Element) {
        claim(1).initialize(to: element)
    }

    @inlinable
    public mutating func append(contentsOf elements: UnsafeBufferPointer<Element>) {
        guard let start = elements.baseAddress, elements.count > 0 else { return }
        claim(elements.count).initialize(from: start, count: elements.count)
    }

    /// Room for `length` more elements, counted already: the caller writes them all
    /// at the returned pointer before anything else reads the buffer.
    @inlinable @inline(__always)
    public mutating func claim(_ length: Int) -> UnsafeMutablePointer<Element> {
        if capacity - written < length { grow(to: written + length) }
        let target = base + written
        written += length
        return target
    }

    /// Elements are plain values, so forgetting them needs no deinitialisation.
    @inlinable
    public mutating func removeAll() {
        written = 0
    }

    @inlinable
    public subscript(index: Int) -> Element {
        precondition(index >= 0 && index < count, "PlainBuffer index out of range")
        return base[index]
    }

    /// The elements, for the length of `body` (the memory moves as the buffer grows).
    @inlinable
    public func withUnsafeBufferPointer<Result>(_ body: (UnsafeBufferPointer<Element>) throws -> Result) rethrows -> Result {
        try body(UnsafeBufferPointer(start: base, count: count))
    }

    @inlinable
    mutating func grow(to needed: Int) {
        let newCapacity = max(needed, capacity * 2)
        let grown = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        grown.initialize(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }
}
