#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import KubeWatch
import Synchronization

/// A time zone as Go's `time.Location` holds one, read from the system's compiled zone
/// files (TZif, `/usr/share/zoneinfo/<Name>`): the local-time types, the transitions
/// between them, and the POSIX TZ rule of the file's footer for times after the last
/// transition. It converts between Unix seconds and wall-clock fields exactly as Go's
/// `Time` methods and `time.Date` do, DST gaps and overlaps included: kube-state-
/// metrics' cron library computes next schedule times with them.
struct ZoneInfo: Sendable {
    struct LocalType: Sendable {
        /// Seconds east of UTC.
        var offset: Int64
        var isDST: Bool
    }

    struct Transition: Sendable {
        var when: Int64
        var type: Int
    }

    let name: String
    let types: [LocalType]
    let transitions: [Transition]
    /// The footer's rule; nil when there is none or it does not parse (Go then keeps the
    /// last transition's type).
    let rule: PosixRule?

    /// Go's `time.UTC`: no types at all, offset 0 forever.
    static let utc = ZoneInfo(name: "UTC", types: [], transitions: [], rule: nil)

    // Go's bounds of all time, for the validity range of an offset.
    static let alpha = Int64.min
    static let omega = Int64.max

    // MARK: Loading

    /// Go's `time.LoadLocation`: "" and "UTC" are UTC, "Local" is the local zone, other
    /// names are files under the zone directories. Unlike kube-state-metrics, which
    /// embeds Go's copy of the database, a zone the system lacks is not found.
    static func named(_ name: String) -> ZoneInfo? {
        if name.isEmpty || name == "UTC" { return .utc }
        if name == "Local" { return local }
        guard !name.contains(".."), name.first != "/", name.first != "\\" else { return nil }
        if let cached = cache.withLock({ $0[name] }) { return cached }
        var directories = zoneDirectories
        if let zoneinfo = environment("ZONEINFO"), !zoneinfo.isEmpty { directories.insert(zoneinfo, at: 0) }
        guard let zone = load(name, from: directories) else { return nil }
        cache.withLock { $0[name] = zone }
        return zone
    }

    /// Go's `platformZoneSources` on Linux.
    static let zoneDirectories = ["/usr/share/zoneinfo", "/usr/share/lib/zoneinfo", "/usr/lib/locale/TZ", "/etc/zoneinfo"]

    /// Zones read so far. Zone files change only with a tzdata update; one read at
    /// startup per zone is what a long-running exporter wants (a missing zone is looked
    /// for again each time).
    private static let cache = Mutex<[String: ZoneInfo]>([:])

    /// The first directory whose file is a valid TZif file, as Go's `loadLocation`.
    private static func load(_ name: String, from directories: [String]) -> ZoneInfo? {
        for directory in directories {
            let path = directory.isEmpty ? name : directory + "/" + name
            if let bytes = readFile(path), let zone = ZoneInfo(tzif: bytes, name: name) { return zone }
        }
        return nil
    }

    /// The zone a schedule without `spec.timeZone` runs in: Go's `time.Local` of the
    /// kube-state-metrics process, which this agent stands in for. Go takes it from `TZ`
    /// when set (an absolute path, or a zone name under the zone directories; "" and
    /// "UTC" mean UTC), else from `/etc/localtime`, else UTC, and so does this. A
    /// distroless container with no `TZ` and no `/etc/localtime` runs in UTC.
    static var local: ZoneInfo { localOverride ?? processLocal }

    /// Replaces the process's local zone for the current task (tests whose expected values
    /// assume the exporter runs in a given zone).
    @TaskLocal static var localOverride: ZoneInfo?

    static let processLocal: ZoneInfo = {
        guard var tz = environment("TZ") else {
            return load("localtime", from: ["/etc"]).map { $0.renamed("Local") } ?? .utc
        }
        if tz.first == ":" { tz.removeFirst() }
        if tz.first == "/" {
            return load(tz, from: [""]).map { $0.renamed(tz == "/etc/localtime" ? "Local" : tz) } ?? .utc
        }
        guard !tz.isEmpty, tz != "UTC" else { return .utc }
        return load(tz, from: zoneDirectories) ?? .utc
    }()

    private func renamed(_ name: String) -> ZoneInfo {
        ZoneInfo(name: name, types: types, transitions: transitions, rule: rule)
    }

    private static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// A whole file, or nil when it cannot be read or is beyond Go's 10 MB limit for zone
    /// files.
    private static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
            guard bytes.count <= 10 << 20 else { return nil }
        }
    }

    // MARK: TZif

    init(name: String, types: [LocalType], transitions: [Transition], rule: PosixRule?) {
        self.name = name
        self.types = types
        self.transitions = transitions
        self.rule = rule
    }

    /// Go's `LoadLocationFromTZData`: version 1 files are read as they are; from version 2
    /// on, the 32-bit section is skipped for the 64-bit one. Version 4 (which differs only
    /// in leap-second bookkeeping Go ignores) is read too: Go would reject such a file
    /// and fall back on its embedded copy of the same zone.
    init?(tzif bytes: [UInt8], name: String) {
        var data = ByteReader(bytes)
        guard let magic = data.read(4), magic.elementsEqual("TZif".utf8), let header = data.read(16) else { return nil }
        let version: Int
        switch header[header.startIndex] {
        case 0: version = 1
        case UInt8(ascii: "2"): version = 2
        case UInt8(ascii: "3"): version = 3
        case UInt8(ascii: "4"): version = 4
        default: return nil
        }
        // UT/local indicators, standard/wall indicators, leap seconds, transitions, types, abbreviation bytes.
        guard var counts = data.counts() else { return nil }
        var is64 = false
        if version > 1 {
            let (utLocal, stdWall, leaps, times, zones, chars) = (counts[0], counts[1], counts[2], counts[3], counts[4], counts[5])
            let skip = times * 4 + times + zones * 6 + chars + leaps * 8 + stdWall + utLocal + 4 + 16
            guard data.read(skip) != nil, let again = data.counts() else { return nil }
            counts = again
            is64 = true
        }
        let (utLocal, stdWall, leaps, times, zones, chars) = (counts[0], counts[1], counts[2], counts[3], counts[4], counts[5])
        let size = is64 ? 8 : 4
        guard let whens = data.read(times * size), let indices = data.read(times), let typeData = data.read(zones * 6),
              data.read(chars) != nil, data.read(leaps * (size + 4)) != nil, data.read(stdWall) != nil, data.read(utLocal) != nil,
              zones > 0 else { return nil }
        let footer = data.rest
        var rule: PosixRule?
        if footer.count > 2, footer.first == UInt8(ascii: "\n"), footer.last == UInt8(ascii: "\n") {
            rule = PosixRule(footer.dropFirst().dropLast())
        }

        var types: [LocalType] = []
        var typeReader = ByteReader(Array(typeData))
        for _ in 0..<zones {
            guard let offset = typeReader.big(4), let flags = typeReader.read(2) else { return nil }
            guard Int(flags[flags.startIndex + 1]) < chars else { return nil }
            types.append(LocalType(offset: Int64(Int32(truncatingIfNeeded: offset)), isDST: flags[flags.startIndex] != 0))
        }
        var transitions: [Transition] = []
        transitions.reserveCapacity(times)
        var whenReader = ByteReader(Array(whens))
        for index in indices {
            guard let raw = whenReader.big(size), Int(index) < zones else { return nil }
            let when = is64 ? Int64(bitPattern: raw) : Int64(Int32(truncatingIfNeeded: raw))
            transitions.append(Transition(when: when, type: Int(index)))
        }
        // Fixed zones (Etc/GMT-8) have no transitions: one that covers all time.
        if transitions.isEmpty { transitions = [Transition(when: Self.alpha, type: 0)] }
        self.init(name: name, types: types, transitions: transitions, rule: rule)
    }

    private struct ByteReader {
        let bytes: [UInt8]
        var position = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        mutating func read(_ count: Int) -> ArraySlice<UInt8>? {
            guard count >= 0, count <= bytes.count - position else { return nil }
            defer { position += count }
            return bytes[position..<position + count]
        }

        mutating func big(_ count: Int) -> UInt64? {
            guard let slice = read(count) else { return nil }
            return slice.reduce(0) { $0 << 8 | UInt64($1) }
        }

        mutating func counts() -> [Int]? {
            var counts: [Int] = []
            for _ in 0..<6 {
                guard let count = big(4) else { return nil }
                counts.append(Int(count))
            }
            return counts
        }

        var rest: ArraySlice<UInt8> { bytes[position...] }
    }

    // MARK: Lookup

    /// Go's `Location.lookup`: the offset in effect at `seconds`, and the span it holds
    /// for (what `time.Date` checks its guess against).
    func lookup(_ seconds: Int64) -> (offset: Int64, start: Int64, end: Int64) {
        guard !types.isEmpty else { return (0, Self.alpha, Self.omega) }
        guard let first = transitions.first, seconds >= first.when else {
            let end = transitions.first?.when ?? Self.omega
            return (types[firstType].offset, Self.alpha, end)
        }
        var low = 0
        var high = transitions.count
        var end = Self.omega
        while high - low > 1 {
            let middle = (low + high) / 2
            let when = transitions[middle].when
            if seconds < when {
                end = when
                high = middle
            } else {
                low = middle
            }
        }
        let start = transitions[low].when
        if low == transitions.count - 1, let rule, let ruled = rule.lookup(seconds, lastTransition: start) {
            return ruled
        }
        return (types[transitions[low].type].offset, start, end)
    }

    /// Go's `lookupFirstZone`: the type for times before the first transition.
    private var firstType: Int {
        guard transitions.contains(where: { $0.type == 0 }) else { return 0 }
        if let first = transitions.first, types[first.type].isDST {
            var index = first.type - 1
            while index >= 0 {
                if !types[index].isDST { return index }
                index -= 1
            }
        }
        return types.firstIndex { !$0.isDST } ?? 0
    }

    // MARK: Wall clock

    /// A moment's wall-clock reading in this zone (Go's `Year`, `Month`, `Day`, `Hour`,
    /// `Minute`, `Second`, `Weekday`; Sunday is 0).
    struct Fields: Equatable {
        var year: Int64
        var month: Int64
        var day: Int64
        var hour: Int64
        var minute: Int64
        var second: Int64
        var weekday: Int64
    }

    func fields(_ seconds: Int64) -> Fields {
        let local = seconds + lookup(seconds).offset
        let days = Self.floorDivide(local, 86400)
        let time = local - days * 86400
        let (year, month, day) = Self.civil(days: days)
        return Fields(year: year, month: month, day: day, hour: time / 3600, minute: time / 60 % 60, second: time % 60,
                      weekday: Self.floorModulo(days + 4, 7))
    }

    /// Go's `time.Date`: out-of-range fields carry over (month 13 is January of the next
    /// year, day 0 the last of the previous month); a wall time a DST change skips or
    /// repeats resolves as Go resolves it.
    func date(year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64) -> Int64 {
        let yearCarry = Self.floorDivide(month - 1, 12)
        let days = Self.days(year: year + yearCarry, month: month - 1 - yearCarry * 12 + 1, day: 1) + day - 1
        var unix = days * 86400 + hour * 3600 + minute * 60 + second
        var (offset, start, end) = lookup(unix)
        if offset != 0 {
            let utc = unix - offset
            if utc < start || utc >= end { offset = lookup(utc).offset }
            unix -= offset
        }
        return unix
    }

    // MARK: Calendar

    static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return value % divisor < 0 ? quotient - 1 : quotient
    }

    static func floorModulo(_ value: Int64, _ divisor: Int64) -> Int64 {
        value - floorDivide(value, divisor) * divisor
    }

    static func isLeap(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        CivilCalendar.days(year: year, month: month, day: day)
    }

    static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        CivilCalendar.date(days: days)
    }
}

/// The POSIX TZ rule of a zone file's footer (`CET-1CEST,M3.5.0,M10.5.0/3`), which
/// gives the offsets after the last transition, read and applied as Go's `tzset` does.
struct PosixRule: Sendable {
    enum Kind: Sendable {
        /// `Jn`: day 1...365, February 29th never counted.
        case julian
        /// `n`: day 0...365, leap days counted.
        case dayOfYear
        /// `Mm.w.d`: weekday d of week w (5: the last) of month m.
        case monthWeekDay
    }

    struct Change: Sendable {
        var kind: Kind
        var day: Int64
        var week: Int64 = 0
        var month: Int64 = 0
        /// Local time of day of the change, in seconds.
        var time: Int64
    }

    struct Daylight: Sendable {
        var offset: Int64
        var start: Change
        var end: Change
    }

    /// Seconds east of UTC (the rule's text has them west).
    let standard: Int64
    let daylight: Daylight?

    init?(_ text: ArraySlice<UInt8>) {
        var rest = text
        guard Self.name(&rest), let standardWest = Self.offset(&rest) else { return nil }
        standard = -standardWest
        if rest.isEmpty || rest.first == UInt8(ascii: ",") {
            daylight = nil
            return
        }
        guard Self.name(&rest) else { return nil }
        var daylightOffset = standard + 3600
        if let first = rest.first, first != UInt8(ascii: ",") {
            guard let west = Self.offset(&rest) else { return nil }
            daylightOffset = -west
        }
        if rest.isEmpty { rest = ArraySlice(",M3.2.0,M11.1.0".utf8) }
        guard let separator = rest.first, separator == UInt8(ascii: ",") || separator == UInt8(ascii: ";") else { return nil }
        rest.removeFirst()
        guard let start = Self.change(&rest), rest.first == UInt8(ascii: ",") else { return nil }
        rest.removeFirst()
        guard let end = Self.change(&rest), rest.isEmpty else { return nil }
        daylight = Daylight(offset: daylightOffset, start: start, end: end)
    }

    /// Go's `tzset` lookup: the offset at `seconds` and the span it holds for (exact near
    /// a change, otherwise the UTC year around it).
    func lookup(_ seconds: Int64, lastTransition: Int64) -> (offset: Int64, start: Int64, end: Int64)? {
        guard let daylight else { return (standard, lastTransition, ZoneInfo.omega) }
        let days = ZoneInfo.floorDivide(seconds, 86400)
        let year = ZoneInfo.civil(days: days).year
        let dayOfYear = days - ZoneInfo.days(year: year, month: 1, day: 1)
        // Go's remainder truncates toward zero; kept for identical results before 1970.
        let yearSeconds = dayOfYear * 86400 + seconds % 86400
        let yearStart = seconds - yearSeconds

        var startSeconds = Self.time(of: daylight.start, year: year, offset: standard)
        var endSeconds = Self.time(of: daylight.end, year: year, offset: daylight.offset)
        var standardOffset = standard
        var daylightOffset = daylight.offset
        // Southern hemisphere: the year starts in daylight time.
        if endSeconds < startSeconds {
            swap(&startSeconds, &endSeconds)
            swap(&standardOffset, &daylightOffset)
        }
        if yearSeconds < startSeconds {
            return (standardOffset, yearStart, startSeconds + yearStart)
        } else if yearSeconds >= endSeconds {
            return (standardOffset, endSeconds + yearStart, yearStart + 365 * 86400)
        }
        return (daylightOffset, startSeconds + yearStart, endSeconds + yearStart)
    }

    /// Go's `tzruleTime`: seconds from the start of `year` (UTC) to the change.
    private static func time(of change: Change, year: Int64, offset: Int64) -> Int64 {
        var seconds: Int64
        switch change.kind {
        case .julian:
            seconds = (change.day - 1) * 86400
            if ZoneInfo.isLeap(year), change.day >= 60 { seconds += 86400 }
        case .dayOfYear:
            seconds = change.day * 86400
        case .monthWeekDay:
            // Zeller's congruence: the weekday of the month's first day.
            let m1 = (change.month + 9) % 12 + 1
            let yy0 = change.month <= 2 ? year - 1 : year
            let yy1 = yy0 / 100
            let yy2 = yy0 % 100
            var weekday = ((26 * m1 - 2) / 10 + 1 + yy2 + yy2 / 4 + yy1 / 4 - 2 * yy1) % 7
            if weekday < 0 { weekday += 7 }
            var day = change.day - weekday
            if day < 0 { day += 7 }
            var week: Int64 = 1
            while week < change.week {
                if day + 7 >= daysIn(month: change.month, year: year) { break }
                day += 7
                week += 1
            }
            day += ZoneInfo.days(year: 2001, month: change.month, day: 1) - ZoneInfo.days(year: 2001, month: 1, day: 1)
            if ZoneInfo.isLeap(year), change.month > 2 { day += 1 }
            seconds = day * 86400
        }
        return seconds + change.time - offset
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        if month == 2 { return ZoneInfo.isLeap(year) ? 29 : 28 }
        return [4, 6, 9, 11].contains(month) ? 30 : 31
    }

    // MARK: Parsing (Go's tzsetName, tzsetOffset, tzsetRule, tzsetNum)

    /// A zone abbreviation: three or more characters up to a digit, sign or comma, or
    /// anything between `<` and `>`.
    private static func name(_ text: inout ArraySlice<UInt8>) -> Bool {
        guard let first = text.first else { return false }
        if first == UInt8(ascii: "<") {
            guard let close = text.firstIndex(of: UInt8(ascii: ">")) else { return false }
            text = text[(close + 1)...]
            return true
        }
        let stops = Array("0123456789,-+".utf8)
        guard let stop = text.firstIndex(where: stops.contains) else {
            guard text.count >= 3 else { return false }
            text = text[text.endIndex...]
            return true
        }
        guard stop - text.startIndex >= 3 else { return false }
        text = text[stop...]
        return true
    }

    /// `[+-]hh[:mm[:ss]]`, hours up to 168; positive west of Greenwich.
    private static func offset(_ text: inout ArraySlice<UInt8>) -> Int64? {
        guard let first = text.first else { return nil }
        var negative = false
        if first == UInt8(ascii: "+") {
            text.removeFirst()
        } else if first == UInt8(ascii: "-") {
            text.removeFirst()
            negative = true
        }
        guard let hours = number(&text, 0...(24 * 7)) else { return nil }
        var seconds = hours * 3600
        if text.first == UInt8(ascii: ":") {
            text.removeFirst()
            guard let minutes = number(&text, 0...59) else { return nil }
            seconds += minutes * 60
            if text.first == UInt8(ascii: ":") {
                text.removeFirst()
                guard let secs = number(&text, 0...59) else { return nil }
                seconds += secs
            }
        }
        return negative ? -seconds : seconds
    }

    private static func change(_ text: inout ArraySlice<UInt8>) -> Change? {
        guard let first = text.first else { return nil }
        var change: Change
        if first == UInt8(ascii: "J") {
            text.removeFirst()
            guard let day = number(&text, 1...365) else { return nil }
            change = Change(kind: .julian, day: day, time: 0)
        } else if first == UInt8(ascii: "M") {
            text.removeFirst()
            guard let month = number(&text, 1...12), text.first == UInt8(ascii: ".") else { return nil }
            text.removeFirst()
            guard let week = number(&text, 1...5), text.first == UInt8(ascii: ".") else { return nil }
            text.removeFirst()
            guard let day = number(&text, 0...6) else { return nil }
            change = Change(kind: .monthWeekDay, day: day, week: week, month: month, time: 0)
        } else {
            guard let day = number(&text, 0...365) else { return nil }
            change = Change(kind: .dayOfYear, day: day, time: 0)
        }
        guard text.first == UInt8(ascii: "/") else {
            change.time = 2 * 3600
            return change
        }
        text.removeFirst()
        guard let time = offset(&text) else { return nil }
        change.time = time
        return change
    }

    /// Decimal digits within `range`; at least one.
    private static func number(_ text: inout ArraySlice<UInt8>, _ range: ClosedRange<Int64>) -> Int64? {
        var value: Int64 = 0
        var digits = 0
        while let byte = text.first, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            guard value <= range.upperBound else { return nil }
            text.removeFirst()
            digits += 1
        }
        guard digits > 0, value >= range.lowerBound else { return nil }
        return value
    }
}
