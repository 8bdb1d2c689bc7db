import CgroupReader
import Foundation
import Testing

struct KernelFileReaderTests {
    @Test func readsFilesLargerThanItsBuffer() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("telegen-reader-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("big").path
        let content = (0..<5000).map { "line \($0)\n" }.joined()
        try content.write(toFile: path, atomically: true, encoding: .utf8)

        var reader = KernelFileReader(initialCapacity: 64)
        let first = try reader.withContents(of: path) { String(decoding: $0, as: UTF8.self) }
        #expect(first == content)
        // The grown buffer is reused for a smaller file without leftovers.
        try "short\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try reader.withContents(of: path) { String(decoding: $0, as: UTF8.self) } == "short\n")
    }

    @Test func readsProcfsFilesThatReportSizeZero() throws {
        var reader = KernelFileReader(initialCapacity: 64)
        let text = try reader.withContents(of: "/proc/self/status") { String(decoding: $0, as: UTF8.self) }
        #expect(text.hasPrefix("Name:"))
        #expect(text.count > 64)
    }

    @Test func missingFilesAreDistinguishedFromOtherErrors() {
        var reader = KernelFileReader()
        #expect(throws: KernelFileError.missing(path: "/proc/definitely-not-here")) {
            try reader.withContents(of: "/proc/definitely-not-here") { _ in () }
        }
        #expect(throws: KernelFileError.unreadable(path: "/proc", errno: EISDIR)) {
            try reader.withContents(of: "/proc") { _ in () }
        }
    }
}

struct SyscallReaderTests {
    @Test func unameDescribesThisKernel() throws {
        let info = try Uname.current()
        #expect(info.sysname == "Linux")
        #expect(!info.release.isEmpty && !info.machine.isEmpty)
    }

    @Test func statfsOfRootAndOfAMissingPath() throws {
        let root = try FilesystemUsage.read(path: "/")
        #expect(root.blocks > 0 && root.blockSize > 0 && root.blocksAvailable <= root.blocksFree)
        #expect(throws: FilesystemUsageError.self) { try FilesystemUsage.read(path: "/no/such/mount") }
        do {
            _ = try FilesystemUsage.read(path: "/no/such/mount")
        } catch let error as FilesystemUsageError {
            // The lowercase errno text node_exporter puts in device_error.
            #expect(error.message == "no such file or directory")
        }
    }
}
