@testable import KubeState
import Testing

/// The cron schedules and zones behind `kube_cronjob_next_schedule_time`, against the
/// behaviour github.com/netresearch/go-cron (v0.15, `ParseStandard`) and Go's `time`
/// package document and test: fields, steps, wrap-around ranges, descriptors, zones,
/// and DST changes.
struct CronScheduleTests {
    /// `2012-03-11T00:00:00-0500` (or `Z`) in Unix seconds.
    static func at(_ text: String) -> Int64 {
        let bytes = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int64 {
            Int64(String(decoding: bytes[start..<start + count], as: UTF8.self)) ?? 0
        }
        var offset: Int64 = 0
        if bytes.count > 19, bytes[19] != UInt8(ascii: "Z") {
            offset = (number(20, 2) * 3600 + number(22, 2) * 60) * (bytes[19] == UInt8(ascii: "-") ? -1 : 1)
        }
        let days = ZoneInfo.days(year: number(0, 4), month: number(5, 2), day: number(8, 2))
        return days * 86400 + number(11, 2) * 3600 + number(14, 2) * 60 + number(17, 2) - offset
    }

    static func zone(_ name: String) throws -> ZoneInfo {
        try #require(ZoneInfo.named(name), "zone \(name)")
    }

    /// The next activation after `from`, with the local zone set to `local`; nil when the
    /// schedule does not parse.
    static func next(_ spec: String, after from: String, local: String = "UTC") throws -> Int64? {
        try ZoneInfo.$localOverride.withValue(zone(local)) {
            CronSchedule.parseStandard(spec)?.next(after: at(from))
        }
    }

    @Test(arguments: [
        // Steps from a start, and named months.
        ("2012-07-09T15:00:00Z", "0/15 * * * *", true),
        ("2012-07-09T15:45:00Z", "0/15 * * * *", true),
        ("2012-07-09T15:40:00Z", "0/15 * * * *", false),
        ("2012-07-09T15:05:00Z", "5/15 * * * *", true),
        ("2012-07-09T15:50:00Z", "5/15 * * * *", true),
        ("2012-07-15T15:00:00Z", "0/15 * * Jul *", true),
        ("2012-07-15T15:00:00Z", "0/15 * * Jun *", false),
        ("2012-07-15T08:30:00Z", "30 08 ? Jul Sun", true),
        ("2012-07-15T08:30:00Z", "30 08 15 Jul ?", true),
        ("2012-07-16T08:30:00Z", "30 08 ? Jul Sun", false),
        // Descriptors.
        ("2012-07-09T15:00:00Z", "@hourly", true),
        ("2012-07-09T15:04:00Z", "@hourly", false),
        ("2012-07-09T15:00:00Z", "@daily", false),
        ("2012-07-09T00:00:00Z", "@daily", true),
        ("2012-07-09T00:00:00Z", "@weekly", false),
        ("2012-07-08T00:00:00Z", "@weekly", true),
        ("2012-07-01T00:00:00Z", "@monthly", true),
        ("2012-07-08T00:00:00Z", "@monthly", false),
        // Day of month AND day of week (the fork's default; robfig/cron ORs them).
        ("2012-07-15T00:00:00Z", "* * 1,15 * Sun", true),
        ("2012-06-15T00:00:00Z", "* * 1,15 * Sun", false),
        ("2012-08-01T00:00:00Z", "* * 1,15 * Sun", false),
        ("2012-07-15T00:00:00Z", "* * */10 * Sun", false),
        ("2012-07-15T00:00:00Z", "* * * * Mon", false),
        ("2012-07-15T00:00:00Z", "* * */2 * Sun", true),
        // Sunday as 7.
        ("2012-07-15T00:00:00Z", "0 0 * * 7", true),
    ])
    func activation(time: String, spec: String, due: Bool) throws {
        let next = try ZoneInfo.$localOverride.withValue(Self.zone("UTC")) { CronSchedule.parseStandard(spec)?.next(after: Self.at(time) - 1) }
        #expect((next == Self.at(time)) == due)
    }

    @Test(arguments: [
        ("2012-07-09T14:45:00Z", "0/15 * * * *", "2012-07-09T15:00:00Z"),
        ("2012-07-09T14:59:59Z", "0/15 * * * *", "2012-07-09T15:00:00Z"),
        ("2012-07-09T15:45:00Z", "20-35/15 * * * *", "2012-07-09T16:20:00Z"),
        ("2012-07-09T23:46:00Z", "*/15 * * * *", "2012-07-10T00:00:00Z"),
        ("2012-07-09T23:45:00Z", "20-35/15 * * * *", "2012-07-10T00:20:00Z"),
        ("2012-07-09T23:35:00Z", "0 0 9 Apr-Oct ?", "2012-08-09T00:00:00Z"),
        ("2012-07-09T23:35:00Z", "0 0 */5 Apr,Aug,Oct Mon", "2012-08-06T00:00:00Z"),
        ("2012-07-09T23:35:00Z", "0 0 */5 Oct Mon", "2012-10-01T00:00:00Z"),
        ("2012-07-09T23:35:00Z", "0 0 * Feb Mon", "2013-02-04T00:00:00Z"),
        ("2012-07-09T23:35:00Z", "0 0 * Feb Mon/2", "2013-02-01T00:00:00Z"),
        ("2012-12-31T23:59:45Z", "* * * * *", "2013-01-01T00:00:00Z"),
        ("2012-07-09T23:35:00Z", "0 0 29 Feb ?", "2016-02-29T00:00:00Z"),
        // Wrap-around ranges.
        ("2025-01-01T21:00:00Z", "0 22-2 * * *", "2025-01-01T22:00:00Z"),
        ("2025-01-01T23:00:00Z", "0 22-2 * * *", "2025-01-02T00:00:00Z"),
        ("2025-10-15T00:00:00Z", "0 0 1 11-2 *", "2025-11-01T00:00:00Z"),
        ("2025-12-01T00:00:00Z", "0 0 1 NOV-FEB *", "2026-01-01T00:00:00Z"),
        ("2025-01-02T00:00:00Z", "0 0 * * FRI-MON", "2025-01-03T00:00:00Z"),
        ("2025-01-05T00:00:00Z", "0 0 * * FRI-MON", "2025-01-06T00:00:00Z"),
        ("2025-02-28T00:00:00Z", "0 0 28-3 * *", "2025-03-01T00:00:00Z"),
        // Strictly after: a time on the schedule gives the following one.
        ("2018-03-11T06:00:00Z", "0 */6 * * *", "2018-03-11T12:00:00Z"),
        // Never due within five years: Go's zero time.
        ("2012-07-09T23:35:00Z", "0 0 30 Feb ?", "0001-01-01T00:00:00Z"),
        ("2012-07-09T23:35:00Z", "0 0 31 Apr ?", "0001-01-01T00:00:00Z"),
        // Descriptors.
        ("2018-03-11T04:34:56Z", "@hourly", "2018-03-11T05:00:00Z"),
        ("2018-03-11T04:34:56Z", "@weekly", "2018-03-18T00:00:00Z"),
        ("2018-03-11T04:34:56Z", "@yearly", "2019-01-01T00:00:00Z"),
        ("2018-03-11T04:34:56Z", "@every 1h30m", "2018-03-11T06:04:56Z"),
        ("2018-03-11T04:34:56Z", "@every 1.5s", "2018-03-11T04:34:57Z"),
        ("2018-03-11T04:34:56Z", "@triggered", "0001-01-01T00:00:00Z"),
        ("2018-03-11T04:34:56Z", "CRON_TZ=Asia/Shanghai @daily", "2018-03-11T16:00:00Z"),
        // Zones, quoted names, white space.
        ("2018-03-11T04:34:56Z", "CRON_TZ=Asia/Shanghai 0 */6 * * *", "2018-03-11T10:00:00Z"),
        ("2018-03-11T04:34:56Z", "TZ=\"Asia/Shanghai\" 0 */6 * * *", "2018-03-11T10:00:00Z"),
        ("2018-03-11T04:34:56Z", "CRON_TZ=UTC   0 */6 * * *  ", "2018-03-11T06:00:00Z"),
        ("2018-03-11T04:34:56Z", "CRON_TZ=Etc/GMT-8 0 */6 * * *", "2018-03-11T10:00:00Z"),
        ("2018-03-11T04:34:56Z", "CRON_TZ=Asia/Kolkata 25 * * * *", "2018-03-11T04:55:00Z"),
        // Spring forward in New York: 2:00 EST becomes 3:00 EDT; a job in the skipped hour runs at 3:00.
        ("2012-03-11T00:00:00-0500", "TZ=America/New_York 30 2 11 Mar ?", "2012-03-11T03:30:00-0400"),
        ("2012-03-11T00:00:00-0500", "TZ=America/New_York 0 * * * ?", "2012-03-11T01:00:00-0500"),
        ("2012-03-11T01:00:00-0500", "TZ=America/New_York 0 * * * ?", "2012-03-11T03:00:00-0400"),
        ("2012-03-11T03:00:00-0400", "CRON_TZ=America/New_York 0 * * * ?", "2012-03-11T04:00:00-0400"),
        ("2012-03-11T01:00:00-0500", "TZ=America/New_York 0 1 * * ?", "2012-03-12T01:00:00-0400"),
        ("2012-03-11T00:00:00-0500", "TZ=America/New_York 0 2 * * ?", "2012-03-11T03:00:00-0400"),
        // Fall back: 2:00 EDT becomes 1:00 EST; the repeated hour comes twice.
        ("2012-11-04T00:00:00-0400", "TZ=America/New_York 30 2 04 Nov ?", "2012-11-04T02:30:00-0500"),
        ("2012-11-04T01:45:00-0400", "TZ=America/New_York 30 1 04 Nov ?", "2012-11-04T01:30:00-0500"),
        ("2012-11-04T01:00:00-0400", "TZ=America/New_York 0 * * * ?", "2012-11-04T01:00:00-0500"),
        ("2012-11-04T01:00:00-0500", "TZ=America/New_York 0 * * * ?", "2012-11-04T02:00:00-0500"),
        ("2012-11-04T01:00:00-0400", "TZ=America/New_York 0 1 * * ?", "2012-11-04T01:00:00-0500"),
        ("2012-11-04T01:00:00-0500", "TZ=America/New_York 0 1 * * ?", "2012-11-05T01:00:00-0500"),
        ("2012-11-04T00:00:00-0400", "TZ=America/New_York 0 2 * * ?", "2012-11-04T02:00:00-0500"),
        ("2012-11-04T00:00:00-0400", "TZ=America/New_York 0 3 * * ?", "2012-11-04T03:00:00-0500"),
        ("2012-11-04T00:00:00-0400", "TZ=America/New_York 0 3 3 * ?", "2012-12-03T03:00:00-0500"),
        // A DST change at midnight (São Paulo, 2018): the day starts at 1:00.
        ("2018-10-17T05:00:00-0400", "TZ=America/Sao_Paulo 0 9 10 * ?", "2018-11-10T06:00:00-0500"),
        ("2018-02-14T05:00:00-0500", "TZ=America/Sao_Paulo 0 9 22 * ?", "2018-02-22T07:00:00-0500"),
        // After the zone file's last transition, its footer rule (New York, 2100).
        ("2100-03-14T06:00:00Z", "TZ=America/New_York 0 * * * *", "2100-03-14T07:00:00Z"),
        ("2100-11-07T05:00:00Z", "TZ=America/New_York 0 1 * * *", "2100-11-07T06:00:00Z"),
    ])
    func next(from: String, spec: String, expected: String) throws {
        #expect(try Self.next(spec, after: from) == Self.at(expected))
    }

    /// Without a zone in the spec, the local zone (kube-state-metrics' `time.Local`).
    @Test func localZone() throws {
        #expect(try Self.next("0 1 * * *", after: "2012-11-04T01:00:00-0400", local: "America/New_York") == Self.at("2012-11-04T01:00:00-0500"))
        #expect(try Self.next("0 */6 * * *", after: "2018-03-11T04:34:56Z", local: "Asia/Shanghai") == Self.at("2018-03-11T10:00:00Z"))
        #expect(try Self.next("CRON_TZ=Local 0 */6 * * *", after: "2018-03-11T04:34:56Z", local: "Asia/Shanghai") == Self.at("2018-03-11T10:00:00Z"))
        #expect(try Self.next("25 * * * *", after: "2018-03-11T04:34:56Z", local: "Asia/Kolkata") == Self.at("2018-03-11T04:55:00Z"))
    }

    @Test(arguments: [
        "", "xyz", "60 * * * *", "0 24 * * *", "0 0 32 * *", "0 0 * 13 *", "0 0 * * 8", "0 0 * * XYZ", "* * * *", "* * * * * *",
        // The fork's stricter steps: a step at least the range's size.
        "*/60 * * * *", "*/120 4-22 * * *", "0 1 */32,1-7 * 3", "0-5/6 * * * *", "5-6/2 * * * *", "15/0 * * * *",
        "TZ=America/New_York 15/0 * * * *",
        // Syntax.
        "5--5 * * * *", "*/-12 * * * *", "*//2 * * * *", "jan-x * * * *", "1- * * * *", "-1 * * * *",
        // Extensions the standard parser does not enable.
        "H * * * *", "0 0 L * *", "0 0 15W * *", "0 0 * * FRI#3", "0 0 * * * 2030",
        // Zones.
        "CRON_TZ=Invalid/Zone 0 * * * *", "CRON_TZ= 0 * * * *", "CRON_TZ=UTC", "CRON_TZ=UTC  ", "CRON_TZ=../etc/passwd 0 * * * *",
        "CRON_TZ=/etc/localtime 0 * * * *", "CRON_TZ=Asia/Shanghai\u{00A0} 0 * * * *",
        // Descriptors.
        "@bogus", "@every 500ms", "@every -1h", "@every 1x", "@every ", " @hourly", "@hourly ", "@Hourly",
    ])
    func invalid(spec: String) {
        #expect(CronSchedule.parseStandard(spec) == nil)
    }

    @Test func longSpecs() {
        #expect(CronSchedule.parseStandard("0 0 * * *" + String(repeating: " ", count: 1015)) != nil)
        #expect(CronSchedule.parseStandard("0 0 * * *" + String(repeating: " ", count: 1016)) == nil)
    }

    @Test func offsets() throws {
        let newYork = try Self.zone("America/New_York")
        #expect(newYork.lookup(Self.at("2012-03-11T06:59:59Z")).offset == -5 * 3600)
        #expect(newYork.lookup(Self.at("2012-03-11T07:00:00Z")).offset == -4 * 3600)
        #expect(newYork.lookup(Self.at("2100-07-01T00:00:00Z")).offset == -4 * 3600)
        #expect(newYork.lookup(Self.at("2100-01-15T00:00:00Z")).offset == -5 * 3600)
        let sydney = try Self.zone("Australia/Sydney")
        #expect(sydney.lookup(Self.at("2100-01-15T00:00:00Z")).offset == 11 * 3600)
        #expect(sydney.lookup(Self.at("2100-07-01T00:00:00Z")).offset == 10 * 3600)
        #expect(try Self.zone("Etc/GMT-8").lookup(0).offset == 8 * 3600)
        #expect(try Self.zone("Asia/Shanghai").lookup(Self.at("2018-03-11T04:34:56Z")).offset == 8 * 3600)
        #expect(ZoneInfo.named("Invalid/Zone") == nil)
        #expect(ZoneInfo.named("Asia") == nil)
    }

    /// Version 1 files (32-bit times only), and files whose footer rule is all there is.
    @Test func tzifVersions() throws {
        func be32(_ value: Int32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian, Array.init) }
        func header(_ version: UInt8, times: Int32, types: Int32, chars: Int32) -> [UInt8] {
            Array("TZif".utf8) + [version] + [UInt8](repeating: 0, count: 15) + be32(0) + be32(0) + be32(0) + be32(times) + be32(types) + be32(chars)
        }
        let abbreviations = Array("AAA\u{0}BBB\u{0}".utf8)
        let version1 = header(0, times: 1, types: 2, chars: 8) + be32(1000) + [1] + be32(3600) + [0, 0] + be32(7200) + [1, 4] + abbreviations
        let zone = try #require(ZoneInfo(tzif: version1, name: "Test/V1"))
        #expect(zone.lookup(999).offset == 3600)
        #expect(zone.lookup(1000).offset == 7200)
        #expect(ZoneInfo(tzif: Array(version1.dropLast()), name: "Test/Short") == nil)
        #expect(ZoneInfo(tzif: header(UInt8(ascii: "5"), times: 0, types: 1, chars: 4) + be32(0) + [0, 0] + Array("UTC\u{0}".utf8), name: "Test/V5") == nil)

        let empty = header(UInt8(ascii: "2"), times: 0, types: 1, chars: 4) + be32(0) + [0, 0] + Array("UTC\u{0}".utf8)
        let footerOnly = try #require(ZoneInfo(tzif: empty + empty + Array("\n<+0530>-5:30\n".utf8), name: "Test/Footer"))
        #expect(footerOnly.lookup(0).offset == 19800)
        #expect(footerOnly.lookup(4_000_000_000).offset == 19800)
    }

    /// Go's `time.Date` for wall times a change skips or repeats.
    @Test func wallClock() throws {
        let newYork = try Self.zone("America/New_York")
        // 2:30 does not exist on 2012-03-11: Go gives 1:30 EST.
        #expect(newYork.date(year: 2012, month: 3, day: 11, hour: 2, minute: 30, second: 0) == Self.at("2012-03-11T01:30:00-0500"))
        // 1:30 happens twice on 2012-11-04: Go gives the first (EDT).
        #expect(newYork.date(year: 2012, month: 11, day: 4, hour: 1, minute: 30, second: 0) == Self.at("2012-11-04T01:30:00-0400"))
        // Fields carry over.
        #expect(newYork.date(year: 2012, month: 13, day: 32, hour: 0, minute: 0, second: 0) == Self.at("2013-02-01T00:00:00-0500"))
        let fields = newYork.fields(Self.at("2012-11-04T01:30:00-0500"))
        #expect(fields == ZoneInfo.Fields(year: 2012, month: 11, day: 4, hour: 1, minute: 30, second: 0, weekday: 0))
    }
}
