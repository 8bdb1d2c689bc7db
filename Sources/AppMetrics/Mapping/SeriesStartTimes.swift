/// What a target's mapper remembers between scrapes about each cumulative series
/// (counter, histogram, summary): when it started and its last value, by a 64-bit hash
/// of its family and labels. As the Collector's receiver adjusts start times: a series
/// first seen starts at that observation; one whose value (or a distribution's count
/// or sum) went down was reset and starts again at that observation; otherwise it
/// keeps its start. A series missing from a successful scrape is forgotten.
struct SeriesStartTimes {
    private struct Entry {
        var start: UInt64
        var value: Double
        var sum: Double
        var scrape: UInt32
    }

    private var entries: [Int: Entry] = [:]
    private var scrape: UInt32 = 0

    var count: Int { entries.count }

    mutating func beginScrape() {
        scrape &+= 1
    }

    /// Forgets the series this scrape did not contain.
    mutating func endScrape() {
        let current = scrape
        entries = entries.filter { $0.value.scrape == current }
    }

    /// The start of series `key`, observed at `time` with `value` (a distribution's
    /// count) and `sum` (0 for counters). `created` (the exposition's `_created`)
    /// wins when given.
    mutating func start(key: Int, value: Double, sum: Double, created: UInt64?, time: UInt64) -> UInt64 {
        let start: UInt64
        if let created {
            start = created
        } else if let last = entries[key], !(value < last.value || sum < last.sum) {
            start = last.start
        } else {
            start = time
        }
        entries[key] = Entry(start: start, value: value, sum: sum, scrape: scrape)
        return start
    }
}
