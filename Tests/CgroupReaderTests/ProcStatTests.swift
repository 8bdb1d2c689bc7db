@testable import CgroupReader
import Testing

struct ProcStatTests {
    static let fixture = """
        cpu  43037 12 9071 341046 1624 0 239 486 0 0
        cpu0 17938 2 3789 90953 92 0 130 286 10 3
        cpu1 24654 10 4768 81902 1504 0 105 204 0 0
        cpu3 445 0 514 168191 28 0 4 0
        intr 1706743 0 9 0 0 0 0 0 0 0 0 0
        ctxt 2196445
        btime 1795303313
        processes 12431
        procs_running 3
        procs_blocked 1
        softirq 497395 0 136578 2 8231 0 0 24434 183427 0 144723

        """

    @Test func parsesPerCPUTimesAndCounters() throws {
        let stat = try ProcStat.parse(Self.fixture)
        #expect(stat.cpus.map(\.cpu) == [0, 1, 3])
        let cpu0 = stat.cpus[0]
        #expect([cpu0.user, cpu0.nice, cpu0.system, cpu0.idle, cpu0.iowait, cpu0.irq, cpu0.softirq, cpu0.steal, cpu0.guest, cpu0.guestNice]
                == [17938, 2, 3789, 90953, 92, 0, 130, 286, 10, 3])
        // An old kernel's short line leaves the missing columns at zero.
        #expect(stat.cpus[2].steal == 0 && stat.cpus[2].guest == 0 && stat.cpus[2].softirq == 4)
        #expect(stat.bootTime == 1_795_303_313)
        #expect(stat.contextSwitches == 2_196_445)
        #expect(stat.interrupts == 1_706_743)
        #expect(stat.forks == 12431)
        #expect(stat.procsRunning == 3)
        #expect(stat.procsBlocked == 1)
    }

    @Test(arguments: [
        ("cpu0 1 2 x 4\n", "line 1: bad CPU time \"x\""),
        ("cpu0 1 2 3\n", "line 1: CPU line has 3 fields, want at least 4"),
        ("cpuX 1 2 3 4\n", "line 1: bad CPU name \"cpuX\""),
        ("cpu0 99999999999999999999 1 1 1\n", "line 1: bad CPU time \"99999999999999999999\""),
        ("ctxt\n", "line 1: bad value for \"ctxt\""),
        ("ctxt -5\n", "line 1: bad value for \"ctxt\""),
        ("btime 1\n", "line 1: no per-CPU lines"),
        ("", "line 0: no per-CPU lines"),
        ("\u{0}\u{1}garbage\n\n", "line 2: no per-CPU lines"),
    ])
    func rejectsMalformedInput(text: String, expected: String) {
        #expect(throws: ParseError.self) { try ProcStat.parse(text) }
        do {
            _ = try ProcStat.parse(text)
        } catch {
            #expect("\(error)" == "/proc/stat \(expected)")
        }
    }

    @Test func truncatedFileStillYieldsTheCompleteLines() throws {
        // A read cut mid-line: the complete cpu0 line parses; the cut line is short.
        let cut = String(Self.fixture.prefix(60))
        #expect(throws: ParseError.self) { try ProcStat.parse(cut) }
        let cleanCut = "cpu  1 2 3 4\ncpu0 1 2 3 4\n"
        #expect(try ProcStat.parse(cleanCut).cpus.count == 1)
    }
}
