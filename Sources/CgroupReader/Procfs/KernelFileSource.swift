import Synchronization

/// One kernel file that a collector reads every cycle, with its own reusable buffer.
public final class KernelFileSource: Sendable {
    public let path: String
    private let reader: Mutex<KernelFileReader>

    public init(path: String, initialCapacity: Int = 4096) {
        self.path = path
        reader = Mutex(KernelFileReader(initialCapacity: initialCapacity))
    }

    /// Reads the file and parses it with a parser of the `parse(_:file:)` shape.
    public func read<Parsed: Sendable>(_ parse: (UnsafeBufferPointer<UInt8>, String) throws -> Parsed) throws -> Parsed {
        let path = self.path
        return try reader.withLock { reader in
            try reader.withContents(of: path) { try parse($0, path) }
        }
    }
}
