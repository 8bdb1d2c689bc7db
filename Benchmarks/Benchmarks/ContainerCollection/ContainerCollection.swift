import Benchmark
import CgroupReader
import TelemetryModel
import Foundation
import Glibc

/// CPU time of the whole process, in ns (the harness' CPU metric has a 10 ms resolution).
let processCPU = BenchmarkMetric.custom("CPU, all threads (ns)")
/// Kernel files one steady cycle opens, divided by the rows it reports.
let readsPerRow = BenchmarkMetric.custom("file reads per cgroup row (x100)")
let seriesPerCycle = BenchmarkMetric.custom("series per cycle")

func processCPUNanoseconds() -> Int {
    var now = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
    return now.tv_sec * 1_000_000_000 + now.tv_nsec
}

/// A cgroup v2 node as the kubelet's systemd driver lays it out: 55 burstable pods,
/// each a sandbox (`pause`) and an app container — 110 containers — with the files
/// the kernel gives each cgroup, in tmpfs (like cgroupfs, no disk underneath).
struct SyntheticNode {
    static let pods = 55
    let root: String

    init() throws {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        // One fixed path: the harness evaluates this file in a listing process that
        // never tears down, so each run starts by replacing what a previous one left.
        root = "\(base)/telegen-bench-container-node"
        try? FileManager.default.removeItem(atPath: root)
        let cgroup = root + "/cgroup"
        try write(root + "/proc/stat", "cpu  1 0 1 1 0 0 0 0 0 0\nbtime 1795303313\n")
        try write(root + "/proc/meminfo", "MemTotal: 16384000 kB\nSwapTotal: 4194300 kB\nSwapFree: 4194300 kB\n")
        try write(root + "/sys/devices/system/cpu/online", "0-7\n")
        // The root row's network is the host's, read through PID 1.
        try write(root + "/proc/1/net/dev", Self.netDev)
        try write(root + "/sys/devices/virtual/block/vda/dev", "8:0\n")
        try FileManager.default.createDirectory(atPath: root + "/sys/dev/block", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root + "/sys/dev/block/8:0", withDestinationPath: "../../devices/virtual/block/vda")
        try write(cgroup + "/cgroup.controllers", "cpu io memory pids\n")
        try cgroupFiles(cgroup, memory: 8_000_000_000, root: true)
        try cgroupFiles(cgroup + "/kubepods.slice", memory: 4_000_000_000)
        let qos = cgroup + "/kubepods.slice/kubepods-burstable.slice"
        try cgroupFiles(qos, memory: 3_000_000_000)
        for pod in 0..<Self.pods {
            let uid = String(format: "%08x_1111_4222_8333_%012x", pod, pod)
            let podDirectory = qos + "/kubepods-burstable-pod\(uid).slice"
            try cgroupFiles(podDirectory, memory: 50_000_000)
            for (index, comm) in ["pause", "app"].enumerated() {
                let pid = 10_000 + pod * 2 + index
                let id = String(repeating: String(format: "%02x", (pod * 2 + index) % 256), count: 32)
                try cgroupFiles(podDirectory + "/cri-containerd-\(id).scope", memory: 25_000_000, pid: pid)
                try write(root + "/proc/\(pid)/comm", comm + "\n")
                try write(root + "/proc/\(pid)/net/dev", Self.netDev)
            }
        }
    }

    static let netDev = """
        Inter-|   Receive                                                |  Transmit
         face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
            lo: 100 1 0 0 0 0 0 0 100 1 0 0 0 0 0 0
          eth0: 8123456 9123 0 0 0 0 0 0 4123456 5123 0 0 0 0 0 0

        """

    var configuration: CAdvisorCollector.Configuration {
        CAdvisorCollector.Configuration(cgroupRoot: root + "/cgroup", procRoot: root + "/proc", sysRoot: root + "/sys", rootfs: root)
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    private func cgroupFiles(_ directory: String, memory: UInt64, root: Bool = false, pid: Int? = nil) throws {
        let pressure = "some avg10=0.00 avg60=0.00 avg300=0.00 total=123456\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=65432\n"
        var files: [String: String] = [
            "cpu.stat": "usage_usec 123456789\nuser_usec 100000000\nsystem_usec 23456789\nnr_periods 5000\nnr_throttled 12\nthrottled_usec 345678\nnr_bursts 0\nburst_usec 0\n",
            // A real memory.stat: about 40 keys.
            "memory.stat": (["anon \(memory / 2)", "file \(memory / 4)", "kernel 1003520", "kernel_stack 81920", "pagetables 204800",
                             "sec_pagetables 0", "percpu 5760", "sock 0", "vmalloc 0", "shmem 0", "zswap 0", "zswapped 0",
                             "file_mapped 4096000", "file_dirty 0", "file_writeback 0", "swapcached 0", "anon_thp 0", "file_thp 0",
                             "shmem_thp 0", "inactive_anon \(memory / 2)", "active_anon 4096", "inactive_file \(memory / 8)",
                             "active_file \(memory / 8)", "unevictable 0", "slab_reclaimable 300000", "slab_unreclaimable 200000",
                             "slab 500000", "workingset_refault_anon 0", "workingset_refault_file 0", "workingset_activate_anon 0",
                             "workingset_activate_file 0", "workingset_restore_anon 0", "workingset_restore_file 0",
                             "workingset_nodereclaim 0", "pgscan 0", "pgsteal 0", "pgfault 123456", "pgmajfault 12",
                             "pgrefill 0", "pgactivate 0", "pgdeactivate 0", "pglazyfree 0", "thp_fault_alloc 0"]).joined(separator: "\n") + "\n",
            "io.stat": "8:0 rbytes=123456 wbytes=654321 rios=12 wios=34 dbytes=0 dios=0\n",
        ]
        // The root has pressure files too (on kernels with PSI), but none of the rest.
        files["cpu.pressure"] = pressure
        files["memory.pressure"] = pressure
        files["io.pressure"] = pressure
        if !root {
            files["cgroup.events"] = "populated 1\nfrozen 0\n"
            files["cgroup.procs"] = pid.map { "\($0)\n" } ?? ""
            files["cpu.max"] = "max 100000\n"
            files["cpu.weight"] = "79\n"
            files["memory.current"] = "\(memory)\n"
            files["memory.peak"] = "\(memory * 2)\n"
            files["memory.swap.current"] = "0\n"
            files["memory.events"] = "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n"
            files["memory.max"] = "536870912\n"
            files["memory.min"] = "0\n"
            files["memory.swap.max"] = "max\n"
            files["pids.current"] = "12\n"
        }
        for (name, text) in files { try write(directory + "/" + name, text) }
    }

    private func write(_ path: String, _ text: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }
}

/// One full cAdvisor-compatible cycle over 110 containers (target: at most 5 ms of CPU).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .syscalls, .peakMemoryResident, processCPU, readsPerRow, seriesPerCycle],
        warmupIterations: 10,
        maxDuration: .seconds(5),
        maxIterations: 1000)

    let node: SyntheticNode
    do {
        node = try SyntheticNode()
    } catch {
        fatalError("cannot write the synthetic node: \(error)")
    }
    let collector = CAdvisorCollector(configuration: node.configuration)
    let first = collector.collect()
    let rows = first.families.first { $0.name == "container_last_seen" }?.series.count ?? 0
    // fatalError, not precondition: an optimised build drops a precondition's message.
    if rows != 3 + SyntheticNode.pods * 3 || !first.failures.isEmpty { fatalError("synthetic node: \(rows) rows, \(first.failures)") }

    let floor = SyscallFloor(node: node, collector: collector)

    // The same node read by a collector that keeps its cgroup files open between cycles.
    var holding = node.configuration
    holding.filesKeptOpen = 4096
    let holdingCollector = CAdvisorCollector(configuration: holding)
    _ = holdingCollector.collect()
    _ = holdingCollector.collect()
    // It holds what a steady cycle reads and the hierarchy levels' memory.stat, read on refresh cycles.
    if holdingCollector.filesHeldOpen < floor.cgroupFiles {
        fatalError("held \(holdingCollector.filesHeldOpen) files, the cycle reads \(floor.cgroupFiles) cgroup files")
    }

    Benchmark("Container collection cycle, 110 containers") { benchmark in
        let start = processCPUNanoseconds()
        var series = 0
        for _ in benchmark.scaledIterations {
            let result = collector.collect()
            // What the agent asks of every cycle's result besides publishing it.
            series = result.seriesCount
            blackHole(result)
        }
        benchmark.measurement(processCPU, processCPUNanoseconds() - start)
        benchmark.measurement(seriesPerCycle, series)
        benchmark.measurement(readsPerRow, collector.fileReadsInLastCycle * 100 / rows)
    }

    // What a scrape of /metrics/cadvisor adds to the cycle: the last cycle's families
    // written as Prometheus text (the bytes are dropped as a response would send them).
    let served = collector.collect()
    Benchmark("Container families written as exposition text, one scrape") { benchmark in
        let start = processCPUNanoseconds()
        var bytes = 0
        for _ in benchmark.scaledIterations {
            var writer = ExpositionWriter(format: .prometheusText)
            var stream = served.source.makeStream()
            while stream.next(into: &writer) { bytes += writer.drainBytes { $0.count } }
        }
        benchmark.measurement(processCPU, processCPUNanoseconds() - start)
        blackHole(bytes)
    }

    /// A floor benchmark: CPU of `replay` per iteration, and the files it reads per row.
    func floorBenchmark(_ name: String, _ replay: @escaping @Sendable () -> Int) {
        Benchmark(name) { benchmark in
            let start = processCPUNanoseconds()
            for _ in benchmark.scaledIterations { blackHole(replay()) }
            benchmark.measurement(processCPU, processCPUNanoseconds() - start)
            benchmark.measurement(readsPerRow, floor.files * 100 / rows)
        }
    }

    // The same run's floor: what the kernel charges for the files the steady cycle read.
    floorBenchmark("Syscall floor of the cycle's files") { floor.replay() }

    // The cycle and its floor one after the other in every iteration, each timed on its
    // own: the ratio pairs a cycle with the floor measured right after it, so what moves
    // this VM's timings between benchmarks (the floor alone by 7% from run to run) moves
    // both sides of it.
    let cycleCPU = BenchmarkMetric.custom("cycle CPU (ns)")
    let floorCPU = BenchmarkMetric.custom("floor CPU (ns)")
    let ratio = BenchmarkMetric.custom("cycle / floor (x1000)")
    Benchmark("Container cycle and its floor, interleaved",
              configuration: .init(metrics: [cycleCPU, floorCPU, ratio], warmupIterations: 10, maxDuration: .seconds(10),
                                   maxIterations: 1000)) { benchmark in
        let start = processCPUNanoseconds()
        blackHole(collector.collect().seriesCount)
        let middle = processCPUNanoseconds()
        blackHole(floor.replay())
        let end = processCPUNanoseconds()
        benchmark.measurement(cycleCPU, middle - start)
        benchmark.measurement(floorCPU, end - middle)
        benchmark.measurement(ratio, (middle - start) * 1000 / max(end - middle, 1))
    }

    Benchmark("Container collection cycle, 110 containers, files kept open") { benchmark in
        let start = processCPUNanoseconds()
        for _ in benchmark.scaledIterations { blackHole(holdingCollector.collect()) }
        benchmark.measurement(processCPU, processCPUNanoseconds() - start)
        benchmark.measurement(readsPerRow, holdingCollector.fileReadsInLastCycle * 100 / rows)
    }

    // Its floor: one `pread` per held file, the rest as in the first replay.
    floorBenchmark("Syscall floor of the cycle's files, cgroup files kept open") { floor.replayHeld() }

    Benchmark.teardown = { node.remove() }
}

/// The kernel's share of a steady cycle, measured rather than estimated: the files one
/// steady cycle reads (found by their access times: every file's atime is set to the
/// epoch, one cycle runs, and relatime stamps exactly the files it read), replayed with
/// the calls the collector makes and nothing else: the directories the discovery lists
/// (opendir, readdir, closedir), then per directory an `O_PATH` handle and per file
/// `openat` + one `read` + `close`.
struct SyscallFloor: @unchecked Sendable {
    // Safe: immutable after init; the benchmark runs one iteration at a time.
    let listed: [String]
    let read: [(directory: String, files: [String])]
    /// `read` with each file name as a C string.
    let readAsCStrings: [(directory: String, files: [ContiguousArray<CChar>])]
    var files: Int { read.reduce(0) { $0 + $1.files.count } }
    /// The files of `read` a collector keeping files open holds, open for `replayHeld`;
    /// the rest (/proc files, `cgroup.procs`) are opened each time.
    let held: [Int32]
    let unheld: [String]
    var cgroupFiles: Int { held.count }

    init(node: SyntheticNode, collector: CAdvisorCollector) {
        // The caller ran the first cycle (a refresh cycle, one in six); the next is steady.
        let all = Self.regularFiles(under: node.root)
        for path in all {
            // atime one second after the epoch; mtime left alone (UTIME_OMIT).
            var stamps = [timespec(tv_sec: 1, tv_nsec: 0), timespec(tv_sec: 0, tv_nsec: (1 << 30) - 2)]
            if utimensat(AT_FDCWD, path, &stamps, 0) != 0 { fatalError("utimensat \(path)") }
        }
        _ = collector.collect()
        var byDirectory: [String: [String]] = [:]
        for path in all {
            var info = stat()
            guard stat(path, &info) == 0, info.st_atim.tv_sec > 1 else { continue }
            let slash = path.lastIndex(of: "/")!
            byDirectory[String(path[..<slash]), default: []].append(String(path[path.index(after: slash)...]))
        }
        read = byDirectory.sorted { $0.key < $1.key }.map { ($0.key, $0.value.sorted()) }
        readAsCStrings = read.map { ($0.directory, $0.files.map(\.utf8CString)) }
        let readCount = read.reduce(0) { $0 + $1.files.count }
        // Machine files are read on refresh cycles only, so every file stamped is one the count knows.
        if readCount != collector.fileReadsInLastCycle {
            fatalError("the floor replays \(readCount) files, the cycle read \(collector.fileReadsInLastCycle)")
        }
        // The discovery lists every cgroup directory between the root and the containers.
        listed = read.map(\.directory).filter { $0.contains("/cgroup/") && !$0.hasSuffix(".scope") }
        // What the collector holds: every cgroup file but `cgroup.procs` (see CgroupStatsReader).
        let isHeld = { (directory: String, file: String) in
            (directory.contains("/cgroup/") || directory.hasSuffix("/cgroup")) && file != "cgroup.procs"
        }
        held = read.flatMap { entry in
            entry.files.filter { isHeld(entry.directory, $0) }.map { file in
                let fd = open(entry.directory + "/" + file, O_RDONLY | O_CLOEXEC)
                if fd < 0 { fatalError("open \(entry.directory)/\(file)") }
                return fd
            }
        }
        unheld = read.flatMap { entry in entry.files.filter { !isHeld(entry.directory, $0) }.map { entry.directory + "/" + $0 } }
    }

    /// One replay with the cgroup files held open: the listing, one `pread` per held
    /// file, and open + read + close for the rest.
    func replayHeld() -> Int {
        var total = listDirectories()
        var buffer = [UInt8](repeating: 0, count: 65536)
        buffer.withUnsafeMutableBytes { raw in
            for fd in held { total += pread(fd, raw.baseAddress, raw.count, 0) }
            for path in unheld {
                let fd = open(path, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { continue }
                total += Glibc.read(fd, raw.baseAddress, raw.count)
                close(fd)
            }
        }
        return total
    }

    /// The discovery's part of a replay: every listed directory read through; returns
    /// the entries seen.
    private func listDirectories() -> Int {
        var entries = 0
        for path in listed {
            guard let directory = opendir(path) else { continue }
            while readdir(directory) != nil { entries += 1 }
            closedir(directory)
        }
        return entries
    }

    /// One replay; returns the bytes read so the work cannot be optimised away. File
    /// names are passed as C strings made beforehand: a small Swift string converted
    /// implicitly is copied to the heap on every call, which is not the kernel's cost.
    func replay() -> Int {
        var total = listDirectories()
        var buffer = [UInt8](repeating: 0, count: 65536)
        buffer.withUnsafeMutableBytes { raw in
            for (directory, files) in readAsCStrings {
                let handle = open(directory, 0o10000000 /* O_PATH */ | O_DIRECTORY | O_CLOEXEC)
                guard handle >= 0 else { continue }
                for file in files {
                    let fd = file.withUnsafeBufferPointer { openat(handle, $0.baseAddress!, O_RDONLY | O_CLOEXEC) }
                    guard fd >= 0 else { continue }
                    total += Glibc.read(fd, raw.baseAddress, raw.count)
                    close(fd)
                }
                close(handle)
            }
        }
        return total
    }

    private static func regularFiles(under root: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        var paths: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let path = root + "/" + relative
            var info = stat()
            if lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG { paths.append(path) }
        }
        return paths
    }
}
