import EventLogs
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
import TestSupport

/// The checkpoint on disk: replaced atomically through `<file>.tmp`, read back as it
/// was written, and anything that is not a checkpoint read as none.
struct CheckpointFileTests {
    static let sample = EventCheckpoint(configuration: "0123456789abcdef", resourceVersions: ["all": "42", "ns/a": "9"],
                                        updated: 1_760_000_000)

    static func contents(_ directory: TemporaryDirectory) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    @Test func storeThenLoadRoundTrips() throws {
        let scratch = try TemporaryDirectory()
        let file = CheckpointFile(path: scratch.path + "/events.checkpoint")
        #expect(file.load() == nil)  // none yet
        try file.store(Self.sample)
        #expect(file.load() == Self.sample)
        // What is on disk is the documented JSON.
        #expect(try String(contentsOfFile: file.path, encoding: .utf8) == Self.sample.json)
    }

    @Test func storeLeavesNoTemporaryFileBehind() throws {
        let scratch = try TemporaryDirectory()
        let file = CheckpointFile(path: scratch.path + "/events.checkpoint")
        try file.store(Self.sample)
        #expect(try Self.contents(scratch) == ["events.checkpoint"])
        #expect(!FileManager.default.fileExists(atPath: file.path + ".tmp"))
    }

    @Test func aNewStoreReplacesTheOldOne() throws {
        let scratch = try TemporaryDirectory()
        let file = CheckpointFile(path: scratch.path + "/events.checkpoint")
        // A longer checkpoint first, so that a write without truncation would leave a tail.
        var long = Self.sample
        long.resourceVersions = Dictionary(uniqueKeysWithValues: (0..<50).map { ("ns/namespace-\($0)", String($0 * 1000)) })
        try file.store(long)
        try file.store(Self.sample)
        #expect(file.load() == Self.sample)
        #expect(try Self.contents(scratch) == ["events.checkpoint"])
    }

    @Test func aStaleTemporaryFileIsReplaced() throws {
        let scratch = try TemporaryDirectory()
        let path = scratch.path + "/events.checkpoint"
        // A crash between the write and the rename left one.
        try scratch.write("events.checkpoint.tmp", String(repeating: "torn ", count: 1000))
        try CheckpointFile(path: path).store(Self.sample)
        #expect(CheckpointFile(path: path).load() == Self.sample)
        #expect(try Self.contents(scratch) == ["events.checkpoint"])
    }

    @Test func theFileIsPrivate() throws {
        let scratch = try TemporaryDirectory()
        let file = CheckpointFile(path: scratch.path + "/events.checkpoint")
        try file.store(Self.sample)
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test(arguments: [
        "",
        "garbage\n",
        "{\"format\":\"telegen.events/v1\",\"configuration\":\"a\",",  // torn
        "{\"format\":\"telegen.events/v0\",\"configuration\":\"a\",\"updated\":1,\"streams\":{\"all\":\"5\"}}\n",
        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\"}\n",
        "42\n",
    ])
    func anythingElseLoadsAsNone(text: String) throws {
        let scratch = try TemporaryDirectory()
        let path = try scratch.write("events.checkpoint", text)
        #expect(CheckpointFile(path: path).load() == nil)
    }

    @Test func binaryFilesLoadAsNone() throws {
        let scratch = try TemporaryDirectory()
        let binary = scratch.path + "/binary"
        try Data([0x00, 0xFF, 0xFE, 0x7B, 0x80, 0x0A]).write(to: URL(fileURLWithPath: binary))
        #expect(CheckpointFile(path: binary).load() == nil)

    }

    @Test func unreadablePathsLoadAsNone() throws {
        let scratch = try TemporaryDirectory()
        #expect(CheckpointFile(path: scratch.path + "/missing").load() == nil)
        #expect(CheckpointFile(path: scratch.path + "/no/such/dir/file").load() == nil)
        // A directory where the file should be.
        #expect(CheckpointFile(path: scratch.path).load() == nil)
        #expect(CheckpointFile(path: "").load() == nil)
    }

    @Test func storingIntoADirectoryThatDoesNotExistThrows() throws {
        let scratch = try TemporaryDirectory()
        let file = CheckpointFile(path: scratch.path + "/missing/events.checkpoint")
        #expect(throws: CheckpointFile.Failure.self) { try file.store(Self.sample) }
        #expect(try Self.contents(scratch) == [])
    }

    @Test func storingBelowARegularFileThrows() throws {
        let scratch = try TemporaryDirectory()
        let blocker = try scratch.write("not-a-directory", "x")
        let file = CheckpointFile(path: blocker + "/events.checkpoint")
        do {
            try file.store(Self.sample)
            Issue.record("stored below a regular file")
        } catch {
            #expect(error.description.contains(blocker + "/events.checkpoint"))
        }
        #expect(try Self.contents(scratch) == ["not-a-directory"])
    }

    /// The rename fails (a directory is in the way): the error names the file, and the
    /// temporary file is removed, not left behind.
    @Test func aFailedRenameRemovesTheTemporaryFile() throws {
        let scratch = try TemporaryDirectory()
        let path = scratch.path + "/events.checkpoint"
        try FileManager.default.createDirectory(atPath: path + "/occupied", withIntermediateDirectories: true)
        do {
            try CheckpointFile(path: path).store(Self.sample)
            Issue.record("stored over a directory")
        } catch {
            #expect(error.description.hasPrefix(path + ": "))
        }
        #expect(try Self.contents(scratch) == ["events.checkpoint"])
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))
    }

    /// A directory without write permission. Root writes anyway, so then only the
    /// directories no one may write in are tried.
    @Test func storingIntoAnUnwritableDirectoryThrows() throws {
        let scratch = try TemporaryDirectory()
        let locked = scratch.path + "/locked"
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o500])
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: locked) }
        if geteuid() != 0 {
            #expect(throws: CheckpointFile.Failure.self) { try CheckpointFile(path: locked + "/events.checkpoint").store(Self.sample) }
            #expect(try FileManager.default.contentsOfDirectory(atPath: locked) == [])
        }
        // /proc refuses new files even to root.
        #expect(throws: CheckpointFile.Failure.self) { try CheckpointFile(path: "/proc/telegen-test.checkpoint").store(Self.sample) }
    }
}
