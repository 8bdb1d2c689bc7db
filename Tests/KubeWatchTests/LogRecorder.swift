import Logging
import Synchronization

/// A log handler that keeps every message with its level, to check what a component
/// logged and how often.
struct LogRecorder: LogHandler {
    final class Records: Sendable {
        let entries = Mutex<[(level: Logger.Level, message: String)]>([])

        func count(_ level: Logger.Level, containing text: String) -> Int {
            entries.withLock { $0.filter { $0.level == level && $0.message.contains(text) }.count }
        }
    }

    let records: Records
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        records.entries.withLock { $0.append((level, message.description)) }
    }

    /// A logger whose messages land in `records`.
    static func logger(_ records: Records) -> Logger {
        Logger(label: "test") { _ in LogRecorder(records: records) }
    }
}
