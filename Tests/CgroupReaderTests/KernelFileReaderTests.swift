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

    /// When a read that comes back short ends the file: for records of bounded length,
    /// only when it left room for one more within a page (the kernel's seq_file buffer
    /// stops a read short when the next record would overflow it). A pipe fed in two
    /// writes gives the short reads: where the file must end at the first read, the
    /// second part is written only once the reader has returned (or after two seconds,
    /// when a reader that wrongly read on then gets it and the test fails); where it
    /// must not, the second part follows shortly and either way is read.
    @Test(arguments: [(first: 100, records: KernelFileReader.Records.unbounded, whole: true),
                      (first: 100, records: .atMost(bytes: 16), whole: false),
                      (first: 4090, records: .atMost(bytes: 16), whole: true),
                      (first: 4080, records: .atMost(bytes: 16), whole: false),
                      (first: 100, records: .single, whole: false)])
    func aShortReadEndsTheFileOnlyWhenNoRecordCouldHaveBeenCut(first: Int, records: KernelFileReader.Records, whole: Bool) throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]) }
        let firstPart = [UInt8](repeating: UInt8(ascii: "1"), count: first)
        let secondPart = [UInt8](repeating: UInt8(ascii: "2"), count: 50)
        #expect(write(ends[1], firstPart, firstPart.count) == firstPart.count)
        let writer = ends[1]
        let readerReturned = DispatchSemaphore(value: 0)
        let written = DispatchSemaphore(value: 0)
        let thread = Thread {
            if whole { usleep(50_000) } else { _ = readerReturned.wait(timeout: .now() + 2) }
            _ = write(writer, secondPart, secondPart.count)
            close(writer)
            written.signal()
        }
        thread.start()
        var reader = KernelFileReader(initialCapacity: 65536)
        let read = try reader.withContents(of: "/proc/self/fd/\(ends[0])", records: records) { Array($0) }
        readerReturned.signal()
        #expect(read == (whole ? firstPart + secondPart : firstPart))
        written.wait()
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
