@testable import Agent
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// The start-up page release drops only pages nothing wrote, and the process keeps
/// running the code and reading the metadata it dropped.
struct StartupPageReleaseTests {
    /// `RssFile` of /proc/self/status, in KiB.
    static func residentFileKiB() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("RssFile:") })
        return try #require(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
    }

    /// Work that runs a lot of code and reads type metadata: YAML, configuration
    /// decoding, errors rendered as text.
    static func work() -> String {
        let yaml = "kube_metrics:\n  listen_address: \"127.0.0.1:9999\"\n  cadvisor:\n    files_kept_open: 64\n  node:\n    collect_interval: 3s\n"
        let broken = "kube_metrics:\n  cadvisor:\n    files_kept_open: -1\n"
        var text = ""
        if case .success(let parsed) = ConfigLoader.parse(Array(yaml.utf8), file: "a.yaml") { text += "\(parsed.config)" }
        if case .failure(let errors) = ConfigLoader.parse(Array(broken.utf8), file: "b.yaml") { text += errors.diagnostics.map(\.description).joined() }
        return text
    }

    @Test func readOnlySegmentsAreNeverWritableMappings() throws {
        let segments = StartupPageRelease.readOnlySegments()
        #expect(!segments.isEmpty)
        let maps = try String(contentsOfFile: "/proc/self/maps", encoding: .utf8).split(separator: "\n").map { line in
            let fields = line.split(separator: " ")
            let bounds = fields[0].split(separator: "-").map { UInt($0, radix: 16) ?? 0 }
            return (start: bounds[0], end: bounds[1], permissions: String(fields[1]))
        }
        for segment in segments {
            let end = segment.start + UInt(segment.length)
            let covering = maps.filter { $0.start < end && $0.end > segment.start }
            #expect(!covering.isEmpty)
            for mapping in covering {
                #expect(!mapping.permissions.contains("w"), "\(mapping) holds part of \(segment)")
            }
            #expect(segment.start % UInt(getpagesize()) == 0 && segment.length % Int(getpagesize()) == 0)
        }
    }

    @Test func theProcessRunsOnAfterItsPagesAreReleased() throws {
        let expected = Self.work()
        #expect(expected.contains("files_kept_open") && expected.contains("9999"))
        let before = try Self.residentFileKiB()
        #expect(StartupPageRelease.release() > 0)
        let after = try Self.residentFileKiB()
        #expect(after < before, "RssFile \(before) KiB before, \(after) KiB after")
        #expect(Self.work() == expected)
    }

    /// A service that returns ends its whole group: after releasing, this one waits
    /// for the shutdown like every other.
    @Test func theGroupRunsOnAfterTheRelease() async throws {
        let logger = Logger(label: "test")
        let group = ServiceGroup(services: [StartupPageRelease(delay: .milliseconds(10), logger: logger)],
                                 gracefulShutdownSignals: [], logger: logger)
        let finished = Atomic(false)
        let running = Task {
            try await group.run()
            finished.store(true, ordering: .sequentiallyConsistent)
        }
        try await Task.sleep(for: .milliseconds(500))
        let finishedEarly = finished.load(ordering: .sequentiallyConsistent)
        #expect(!finishedEarly)
        await group.triggerGracefulShutdown()
        try await running.value
        let finishedAtShutdown = finished.load(ordering: .sequentiallyConsistent)
        #expect(finishedAtShutdown)
    }
}
