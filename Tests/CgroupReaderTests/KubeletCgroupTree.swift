import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A pod's cgroups made in the running kernel's v1 hierarchies, laid out as the
/// kubelet's cgroupfs driver does (`kubepods/burstable/pod<uid>/<container id>`), with
/// real processes moved into them. Removed (processes killed, directories deleted
/// leaf first) by `remove()`.
final class KubeletCgroupTree {
    static let root = "/sys/fs/cgroup"
    static let controllers = ["cpu", "cpuacct", "memory", "blkio", "pids", "freezer"]

    let podUID = UUID().uuidString.lowercased()
    var podPath: String { "/kubepods/burstable/pod\(podUID)" }
    private var created: [String] = []
    private var processes: [Process] = []

    /// Cancels the test, with the reason, where the kernel or the host does not allow it.
    init() throws {
        for controller in Self.controllers where access("\(Self.root)/\(controller)/cgroup.procs", F_OK) != 0 {
            try Test.cancel("no cgroup v1 \(controller) hierarchy at \(Self.root)/\(controller) (a v2-only kernel); the real-kernel test needs the kubelet's v1 layout")
        }
        if access("\(Self.root)/memory/kubepods", F_OK) == 0 {
            try Test.cancel("\(Self.root)/memory/kubepods exists: a kubelet owns this node's tree, and the test will not write into it")
        }
        for path in ["/kubepods", "/kubepods/burstable", podPath] {
            try makeCgroup(path)
        }
    }

    /// Makes a cgroup in every controller; returns its path relative to the hierarchy.
    @discardableResult
    func makeCgroup(_ path: String) throws -> String {
        for controller in Self.controllers {
            let directory = "\(Self.root)/\(controller)\(path)"
            if mkdir(directory, 0o755) != 0 {
                let reason = String(cString: strerror(errno))
                remove()
                try Test.cancel("the kernel refused mkdir \(directory): \(reason)")
            }
            created.append(directory)
        }
        return path
    }

    func write(_ value: String, controller: String, path: String, file: String) throws {
        let target = "\(Self.root)/\(controller)\(path)/\(file)"
        guard let handle = FileHandle(forWritingAtPath: target) else { throw FixtureError(message: "cannot open \(target)") }
        defer { try? handle.close() }
        try handle.write(contentsOf: Data(value.utf8))
    }

    func read(_ controller: String, _ path: String, _ file: String) throws -> String {
        try String(contentsOfFile: "\(Self.root)/\(controller)\(path)/\(file)", encoding: .utf8)
    }

    func number(_ controller: String, _ path: String, _ file: String) throws -> UInt64 {
        let text = try read(controller, path, file).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let value = UInt64(text) else { throw FixtureError(message: "\(file): \(text)") }
        return value
    }

    /// `key value` lines of a flat-keyed file.
    func keyed(_ controller: String, _ path: String, _ file: String) throws -> [String: UInt64] {
        var values: [String: UInt64] = [:]
        for line in try read(controller, path, file).split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2, let value = UInt64(fields[1]) { values[String(fields[0])] = value }
        }
        return values
    }

    /// Starts `command` (a shell snippet) after the shell has moved itself into `path`
    /// in every controller, so that everything it runs is charged there from the start.
    @discardableResult
    func run(in path: String, _ command: String) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        let join = Self.controllers.map { "echo $$ > \(Self.root)/\($0)\(path)/cgroup.procs" }.joined(separator: " && ")
        process.arguments = ["-c", "\(join) && \(command)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        processes.append(process)
        let pid = process.processIdentifier
        // Wait until it has joined (the last controller written is the freezer).
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let procs = try? read("freezer", path, "cgroup.procs"), procs.split(separator: "\n").contains(Substring("\(pid)")) {
                return pid
            }
            usleep(10_000)
        }
        throw FixtureError(message: "process \(pid) did not join \(path)")
    }

    func freeze(_ path: String) throws {
        try write("FROZEN", controller: "freezer", path: path, file: "freezer.state")
        let deadline = Date().addingTimeInterval(10)
        while try read("freezer", path, "freezer.state").hasPrefix("FREEZING"), Date() < deadline { usleep(10_000) }
    }

    func remove() {
        // A frozen task dies only once thawed.
        for directory in created where directory.hasPrefix(Self.root + "/freezer/") {
            try? Data("THAWED".utf8).write(to: URL(fileURLWithPath: directory + "/freezer.state"))
        }
        for process in processes where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        processes.removeAll()
        for directory in created.reversed() {
            var attempts = 0
            while rmdir(directory) != 0 && errno == EBUSY && attempts < 100 {
                attempts += 1
                usleep(20_000)
            }
        }
        created.removeAll()
    }

    deinit { remove() }
}
