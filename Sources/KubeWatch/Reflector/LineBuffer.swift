/// Splits a watch stream into its newline-delimited events, holding at most
/// `maximumLineBytes` of an unfinished event (plus the chunk that passed it): a line
/// longer than that is an error, not a buffer that grows with whatever the peer sends.
/// Each byte is looked at once, however many chunks a long event arrives in.
struct LineBuffer {
    struct LineTooLong: Error {
        var limit: Int
    }

    let maximumLineBytes: Int
    private var bytes: [UInt8] = []
    private var start = 0
    /// Where the search for the next newline resumes: nothing from `start` up to here is one.
    private var scanned = 0
    /// The most bytes held at once.
    private(set) var largest = 0

    init(maximumLineBytes: Int) {
        self.maximumLineBytes = maximumLineBytes
    }

    mutating func append(_ chunk: [UInt8]) {
        if start > 0 && start == bytes.count {
            bytes.removeAll(keepingCapacity: true)
            start = 0
            scanned = 0
        }
        bytes += chunk
        largest = max(largest, bytes.count - start)
    }

    /// The next complete line (without its newline), skipping empty ones; nil when
    /// the rest is unfinished. Throws when a line, finished or not, passes the limit.
    mutating func next() throws(LineTooLong) -> [UInt8]? {
        while let newline = bytes[max(start, scanned)...].firstIndex(of: UInt8(ascii: "\n")) {
            guard newline - start <= maximumLineBytes else { throw LineTooLong(limit: maximumLineBytes) }
            let line = Array(bytes[start..<newline])
            start = newline + 1
            scanned = start
            if !line.isEmpty { return line }
        }
        scanned = bytes.count
        guard bytes.count - start <= maximumLineBytes else { throw LineTooLong(limit: maximumLineBytes) }
        if start > 0 {
            bytes.removeFirst(start)
            scanned -= start
            start = 0
        }
        return nil
    }
}
