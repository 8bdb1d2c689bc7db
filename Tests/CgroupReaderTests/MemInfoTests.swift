@testable import CgroupReader
import Testing

struct MemInfoTests {
    @Test func parsesEveryLineWithUnits() throws {
        let info = try MemInfo.parse("""
            MemTotal:       24684096 kB
            MemFree:        23530600 kB
            Active(anon):       1516 kB
            HugePages_Total:       0
            Hugepagesize:       2048 kB

            """)
        #expect(info.fields.map(\.name) == ["MemTotal", "MemFree", "Active(anon)", "HugePages_Total", "Hugepagesize"])
        #expect(info["MemTotal"] == MemInfo.Field(name: "MemTotal", value: 24_684_096, inKibibytes: true))
        #expect(info["HugePages_Total"] == MemInfo.Field(name: "HugePages_Total", value: 0, inKibibytes: false))
    }

    @Test(arguments: [
        ("MemTotal 5 kB\n", "/proc/meminfo line 1: missing ':' after \"MemTotal\""),
        ("MemTotal: five kB\n", "/proc/meminfo line 1: bad value for \"MemTotal\""),
        ("MemTotal: 5 MB\n", "/proc/meminfo line 1: unknown unit \"MB\""),
        ("MemTotal:\n", "/proc/meminfo line 1: bad value for \"MemTotal\""),
        (":5 kB\n", "/proc/meminfo line 1: missing ':' after \":5\""),
        ("", "/proc/meminfo line 0: empty"),
    ])
    func rejectsMalformedInput(text: String, expected: String) {
        #expect(throws: ParseError.self) { try MemInfo.parse(text) }
        do { _ = try MemInfo.parse(text) } catch { #expect("\(error)" == expected) }
    }
}
