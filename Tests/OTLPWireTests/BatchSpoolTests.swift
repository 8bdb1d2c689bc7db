import Foundation
import HTTP2Transport
import Logging
@testable import OTLPWire
import Testing
import TestSupport

/// The queue directory as a restart finds it: more than `max_bytes` left by an earlier
/// configuration, and the temporary file of a write that a crash interrupted.
struct BatchSpoolTests {
    /// An exporter that only queues: nothing listens on its endpoint and it never runs.
    private func exporter(directory: String, maximumBytes: Int, lines: RecordingLogHandler.Lines = .init()) throws -> OTLPExporter {
        let transport = try GRPCTransport(endpoint: HTTP2Endpoint(url: "http://127.0.0.1:9"), settings: TransportSettings(userAgent: "telegen/test"))
        return try OTLPExporter(transport: transport, configuration: .init(queueMaximumBytes: maximumBytes, queueDirectory: directory),
                                logger: RecordingLogHandler.logger(lines))
    }

    private func batch(_ marker: UInt8, bytes: Int = 1_000, items: Int = 1) -> ExportBatch {
        ExportBatch(signal: .metrics, message: [UInt8](repeating: marker, count: bytes), items: items)
    }

    private func files(_ directory: TemporaryDirectory) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    @Test func aQueueDirectoryIsReadBackWithinMaxBytesNewestFirst() async throws {
        let directory = try TemporaryDirectory("queue")
        let spool = try BatchSpool(directory: directory.path)
        for sequence in 1...5 { _ = try spool.store(batch(UInt8(sequence), items: 10), sequence: UInt64(sequence)) }
        // A batch larger than the whole queue is never read into memory.
        _ = try spool.store(batch(6, bytes: 8_000, items: 7), sequence: 6)

        let lines = RecordingLogHandler.Lines()
        let exporter = try exporter(directory: directory.path, maximumBytes: 3_500, lines: lines)
        let statistics = exporter.statistics
        #expect(statistics.queueBatches == 3)
        #expect(statistics.queueBytes == 3_000)
        // As a full queue does while running: the oldest make room, and are counted.
        #expect(statistics[.metrics].droppedItems == ["queue_full": 27])
        #expect(try files(directory) == ["00000000000000000003.metrics.10.otlp", "00000000000000000004.metrics.10.otlp",
                                         "00000000000000000005.metrics.10.otlp"])
        #expect(await exporter.enqueue(batch(7)) == 7)  // numbering continues after every file found
        #expect(lines.all.contains { $0.contains("replaying batches queued before the last stop") && $0.contains("batches=3") }, "\(lines.all)")
    }

    @Test func leftoverTemporaryFilesAreRemovedAtStart() throws {
        let directory = try TemporaryDirectory("queue")
        let spool = try BatchSpool(directory: directory.path)
        _ = try spool.store(batch(1), sequence: 1)
        // What a write interrupted before its rename leaves behind.
        try directory.write(".00000000000000000002.metrics.1.otlp.tmp", String(repeating: "x", count: 500))
        try directory.write("notes.txt", "not ours")  // not the spool's: reported, left alone

        let exporter = try exporter(directory: directory.path, maximumBytes: 1 << 20)
        #expect(exporter.statistics.queueBatches == 1)
        #expect(try files(directory) == ["00000000000000000001.metrics.1.otlp", "notes.txt"])
    }
}
