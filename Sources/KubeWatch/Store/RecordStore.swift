import CPrefetch
import Synchronization

/// What a store needs to know about the records it keeps: how to give back the
/// string-table references one holds when it is replaced or removed.
///
/// Requirements: `release` reads the record from its start with the same layout its
/// writer used and calls `skipString(releasing: true)` for every string in it.
public protocol RecordFormat: Sendable {
    func release(_ record: inout RecordReader)
}

/// One resource's current objects as compact records (`RecordWriter`), by UID: the
/// last state the reflector saw of each, replaced on every event, reconciled on every
/// relist.
///
/// Records sit end to end in pages of 256 KiB, so the store grows without ever copying
/// what it holds (a growing single buffer would double its memory at every step). A
/// replaced or removed record leaves a hole; a page whose holes pass a third of it has
/// its live records moved to the page being filled and is given back to the kernel
/// (pages are mapped, not taken from the heap: `PageMemory`).
///
/// Readers walk the records by slot (`read(from:maximum:)`) a batch at a time, taking
/// the lock per batch, so a long render never holds off the reflector. A slot keeps
/// its object for the object's lifetime; an object added during a walk may or may not
/// be seen by it, an object removed is not.
///
/// `@unchecked Sendable`: all mutable state is in `state`, which is touched only
/// inside `lock.withLock` (every method below does so, and nothing else reaches it);
/// the readers handed to callers' closures point into it and are documented not to
/// outlive the call, as the closures are non-escaping.
public final class RecordStore: @unchecked Sendable {
    static var pageSize: Int { 256 * 1024 }
    /// How many slots ahead a walk prefetches: a record's render takes a few hundred
    /// nanoseconds, a line from memory about one hundred.
    static var prefetchDistance: Int { 4 }

    private struct Slot {
        var page: UInt32
        var offset: UInt32
        var length: UInt32
        /// The relist that last wrote the record (see `beginRelist`).
        var epoch: UInt32
        /// Counts the writes to the slot: readers that remember a place in a record
        /// check it is still the same record.
        var version: UInt32 = 0

        static var dead: Slot { Slot(page: .max, offset: 0, length: 0, epoch: 0) }
        var isLive: Bool { page != .max }
    }

    /// A fixed block of records, managed by hand (never resized, so never copied; a
    /// read takes no reference count), mapped from the kernel (`PageMemory`).
    private struct Page {
        var base: UnsafeMutablePointer<UInt8>?
        var capacity = 0
        var count = 0
        var mapped = false

        func free() {
            if let base { PageMemory.deallocate(base, bytes: capacity, mapped: mapped) }
        }
    }

    private struct State {
        var pages: [Page] = []
        var garbage: [Int] = []
        var freePages: [Int] = []
        /// The page records are appended to.
        var current = -1
        var slots: [Slot] = []
        var freeSlots: [Int] = []
        var index: [StoreKey: Int] = [:]
        var generation: UInt64 = 0
        var epoch: UInt32 = 0
        let table = StringTable()
        let format: any RecordFormat

        init(format: any RecordFormat) {
            self.format = format
        }

        mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) -> (page: Int, offset: Int) {
            if current < 0 || pages[current].count + bytes.count > pages[current].capacity {
                current = newPage(capacity: max(pageSize, bytes.count))
            }
            let offset = pages[current].count
            if let source = bytes.baseAddress, let base = pages[current].base { (base + offset).update(from: source, count: bytes.count) }
            pages[current].count += bytes.count
            return (current, offset)
        }

        mutating func newPage(capacity: Int) -> Int {
            let memory = PageMemory.allocate(capacity)
            let page = Page(base: memory.base, capacity: capacity, count: 0, mapped: memory.mapped)
            if let reused = freePages.popLast() {
                pages[reused] = page
                garbage[reused] = 0
                return reused
            }
            pages.append(page)
            garbage.append(0)
            return pages.count - 1
        }

        /// Starts loading the first line of the record in slot `index` and the line at
        /// `lookahead`'s offset in it.
        func prefetch(slot index: Int, _ lookahead: (Int) -> Int) {
            guard index < slots.count else { return }
            let slot = slots[index]
            guard slot.isLive, let base = pages[Int(slot.page)].base else { return }
            let record = base + Int(slot.offset)
            telegen_prefetch(record)
            let offset = lookahead(index)
            if offset > 0 && offset < Int(slot.length) { telegen_prefetch(record + offset) }
        }

        func withRecord<T>(_ slot: Slot, _ body: (inout RecordReader) -> T) -> T {
            let page = pages[Int(slot.page)]
            var reader = RecordReader(bytes: UnsafeBufferPointer(start: page.base.map { $0 + Int(slot.offset) }, count: Int(slot.length)),
                                      table: table)
            return body(&reader)
        }

        func freeAll() {
            for page in pages { page.free() }
        }

        /// Gives back the record's table references; its bytes become a hole.
        mutating func discard(_ slot: Slot) {
            withRecord(slot) { format.release(&$0) }
            let page = Int(slot.page)
            garbage[page] += Int(slot.length)
            if page != current && garbage[page] * 3 > pages[page].count { compact(page) }
        }

        /// Moves the page's live records to the page being filled and frees it.
        mutating func compact(_ page: Int) {
            let old = pages[page]
            pages[page] = Page()
            garbage[page] = 0
            for index in slots.indices where slots[index].page == UInt32(page) {
                let slot = slots[index]
                let (newPage, offset) = append(UnsafeBufferPointer(start: old.base.map { $0 + Int(slot.offset) }, count: Int(slot.length)))
                slots[index].page = UInt32(newPage)
                slots[index].offset = UInt32(offset)
            }
            old.free()
            freePages.append(page)
        }

        mutating func remove(slotAt index: Int, key: StoreKey) {
            let slot = slots[index]
            slots[index] = .dead
            slots[index].version = slot.version &+ 1
            self.index.removeValue(forKey: key)
            freeSlots.append(index)
            generation &+= 1
            discard(slot)
        }
    }

    private let lock = Mutex(())
    private var unguardedState: State

    /// `format` says how records give back their table references (not generic over
    /// it: a generic store pays for metadata look-ups on every record a render reads).
    public init(format: any RecordFormat) {
        unguardedState = State(format: format)
    }

    deinit {
        unguardedState.freeAll()
    }

    /// Runs `body` with the state, under the lock.
    private func withState<T>(_ body: (inout State) -> T) -> T {
        lock.withLock { _ in body(&unguardedState) }
    }

    public var count: Int { withState { $0.index.count } }

    /// Changes with every upsert and removal.
    public var generation: UInt64 { withState { $0.generation } }

    /// Strings the records share, and bytes held in pages (for tests and benchmarks).
    public var footprint: (sharedStrings: Int, pageBytes: Int, holeBytes: Int) {
        withState { state in
            (state.table.count, state.pages.reduce(0) { $0 + $1.count }, state.garbage.reduce(0, +))
        }
    }

    /// Stores the record `write` produces under `key`, replacing any earlier one.
    /// `write` runs under the store's lock: keep it to encoding.
    public func upsert(_ key: String, _ write: (inout RecordWriter) -> Void) {
        let storeKey = StoreKey(key)
        withState { state in
            var writer = RecordWriter(table: state.table)
            write(&writer)
            guard writer.count < Int(UInt32.max) else { return }
            let (page, offset) = writer.withBytes { state.append($0) }
            var slot = Slot(page: UInt32(page), offset: UInt32(offset), length: UInt32(writer.count), epoch: state.epoch)
            state.generation &+= 1
            if let index = state.index[storeKey] {
                let old = state.slots[index]
                slot.version = old.version &+ 1
                state.slots[index] = slot
                state.discard(old)
            } else {
                let index = state.freeSlots.popLast() ?? state.slots.count
                if index == state.slots.count {
                    state.slots.append(slot)
                } else {
                    slot.version = state.slots[index].version &+ 1
                    state.slots[index] = slot
                }
                state.index[storeKey] = index
            }
        }
    }

    @discardableResult
    public func remove(_ key: String) -> Bool {
        let storeKey = StoreKey(key)
        return withState { state in
            guard let index = state.index[storeKey] else { return false }
            state.remove(slotAt: index, key: storeKey)
            return true
        }
    }

    /// Forgets every record.
    public func removeAll() {
        withState { state in
            for (key, index) in state.index { state.remove(slotAt: index, key: key) }
        }
    }

    /// Removes the records whose key `shouldRemove` picks; returns their keys.
    @discardableResult
    public func removeAll(where shouldRemove: (StoreKey) -> Bool) -> [StoreKey] {
        withState { state in
            let gone = state.index.filter { shouldRemove($0.key) }
            for (key, index) in gone { state.remove(slotAt: index, key: key) }
            return Array(gone.keys)
        }
    }

    /// A relist starts: records not written again before `endRelist` belong to
    /// objects deleted while no watch was open.
    public func beginRelist() {
        withState { $0.epoch &+= 1 }
    }

    /// Removes the records the relist did not write; returns their keys.
    @discardableResult
    public func endRelist() -> [StoreKey] {
        withState { state in
            let epoch = state.epoch
            let gone = state.index.filter { state.slots[$0.value].epoch != epoch }
            for (key, index) in gone { state.remove(slotAt: index, key: key) }
            return Array(gone.keys)
        }
    }

    /// `read(from:maximum:lookahead:_:)` for a walk that reads records from their start.
    public func read(from index: Int, maximum: Int, _ body: (_ slot: Int, _ version: UInt32, inout RecordReader) -> Void) -> Int? {
        read(from: index, maximum: maximum, lookahead: { _ in 0 }, body)
    }

    /// Calls `body` with up to `maximum` records, from slot `index` on, under the lock,
    /// with each record's slot and the slot's version (which changes whenever the slot
    /// is written); returns the slot to continue from, or nil when the walk is done.
    ///
    /// `lookahead` names, for a slot, where in its record `body` will read after the
    /// record's start (a render's cursor). The walk asks the processor for that line and
    /// the record's first a few slots ahead: a render visits every record once per
    /// family, and at 100 000 pods the records are far larger than the caches, so each
    /// visit would otherwise start by waiting on memory.
    /// (A closure parameter, not an optional one: an optional closure escapes, and the
    /// render's cursors it reads would then live in a box.)
    public func read(from index: Int, maximum: Int, lookahead: (_ slot: Int) -> Int,
                     _ body: (_ slot: Int, _ version: UInt32, inout RecordReader) -> Void) -> Int? {
        withState { state in
            var index = index
            var read = 0
            while index < state.slots.count && read < maximum {
                state.prefetch(slot: index + Self.prefetchDistance, lookahead)
                let slot = state.slots[index]
                index += 1
                guard slot.isLive else { continue }
                state.withRecord(slot) { body(index - 1, slot.version, &$0) }
                read += 1
            }
            return index < state.slots.count ? index : nil
        }
    }

    /// Slots in use or free: the bound of a walk's slot numbers.
    public var slotCount: Int { withState { $0.slots.count } }

    /// Reads the record stored under `key`, if any.
    public func read<T>(key: String, _ body: (inout RecordReader) -> T) -> T? {
        let storeKey = StoreKey(key)
        return withState { state in
            guard let index = state.index[storeKey] else { return nil }
            return state.withRecord(state.slots[index], body)
        }
    }
}
