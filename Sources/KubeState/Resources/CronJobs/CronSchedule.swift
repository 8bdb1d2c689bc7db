/// A CronJob schedule as kube-state-metrics reads it: `cron.ParseStandard` of
/// github.com/netresearch/go-cron v0.15 (a fork of robfig/cron v3), whose `Next` gives
/// `kube_cronjob_next_schedule_time` and whose errors give `kube_cronjob_schedule_invalid`.
///
/// The standard parser takes five fields (minute, hour, day of month, month, day of
/// week: numbers, `*` and `?`, ranges `a-b` — wrapping, as `22-2` — steps `/n`, lists,
/// and month and weekday names), an optional `CRON_TZ=<zone>` or `TZ=<zone>` prefix,
/// and the descriptors `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`,
/// `@midnight`, `@hourly`, `@every <Go duration>`, and `@triggered` / `@manual` /
/// `@none` (never due: Go's zero time). Where it differs from robfig/cron, this follows
/// the fork: a step must be smaller than its range (`*/60` is an error), and day of
/// month and day of week must both match (the fork's default AND, not cron's OR).
enum CronSchedule: Sendable {
    case fields(Fields)
    /// `@every`: a whole number of seconds after the given time.
    case every(seconds: Int64)
    case triggered

    /// One bit per allowed value (bit 63: the field was `*`); seconds are always 0.
    struct Fields: Sendable {
        var minute: UInt64
        var hour: UInt64
        var dayOfMonth: UInt64
        var month: UInt64
        var dayOfWeek: UInt64
        var zone: ZoneInfo
    }

    /// The schedule `spec` gives, evaluated in its `CRON_TZ=` zone or else the local one;
    /// nil for whatever go-cron rejects, an unknown zone included. Read as Go reads it:
    /// byte by byte, white space as Unicode's.
    static func parseStandard(_ text: String) -> CronSchedule? {
        var spec = Array(text.utf8)[...]
        guard !spec.isEmpty, spec.count <= 1024 else { return nil }
        var zone = ZoneInfo.local
        if spec.starts(with: "TZ=".utf8) || spec.starts(with: "CRON_TZ=".utf8) {
            guard let space = spec.firstIndex(of: UInt8(ascii: " ")), let equals = spec.firstIndex(of: UInt8(ascii: "=")) else {
                return nil
            }
            var name = spec[(equals + 1)..<space]
            if name.count >= 2, let first = name.first, first == UInt8(ascii: "\"") || first == UInt8(ascii: "'"), name.last == first {
                name = name.dropFirst().dropLast()
            }
            guard !name.isEmpty, name.count <= 64, name.allSatisfy(isZoneNameCharacter),
                  let named = ZoneInfo.named(String(decoding: name, as: UTF8.self)) else { return nil }
            zone = named
            spec = trimSpace(spec[space...])
            guard !spec.isEmpty else { return nil }
        }
        if spec.first == UInt8(ascii: "@") { return descriptor(spec, zone: zone) }

        let fields = goFields(spec)
        guard fields.count == 5 else { return nil }
        // Jenkins-style `H` needs the hash option, which the standard parser lacks.
        guard !fields.contains(where: { $0.split(separator: UInt8(ascii: ",")).contains { $0.first == UInt8(ascii: "H") } }) else {
            return nil
        }
        // L and W (day of month) and # (day of week) need extended options too.
        guard !fields[2].contains(where: { Array("LlWw".utf8).contains($0) }), !fields[4].contains(UInt8(ascii: "#")) else {
            return nil
        }
        guard let minute = field(fields[0], minutes), let hour = field(fields[1], hours),
              let dayOfMonth = field(fields[2], daysOfMonth), let month = field(fields[3], months),
              let dayOfWeek = field(fields[4], daysOfWeek) else { return nil }
        return .fields(Fields(minute: minute, hour: hour, dayOfMonth: dayOfMonth, month: month,
                              dayOfWeek: normalizedSunday(dayOfWeek), zone: zone))
    }

    /// The first activation strictly after `seconds` (Unix), or Go's zero time when there
    /// is none within five years (`@triggered`, February 30th).
    func next(after seconds: Int64) -> Int64 {
        switch self {
        case .triggered: return Self.zeroTime
        case .every(let delay): return seconds + delay
        case .fields(let fields): return fields.next(after: seconds)
        }
    }

    /// Go's zero `time.Time` in Unix seconds.
    static let zeroTime: Int64 = -62_135_596_800

    typealias Bytes = ArraySlice<UInt8>

    // MARK: Fields

    struct Bounds {
        var min: UInt64
        var max: UInt64
        var names: [String: UInt64] = [:]
    }

    static let minutes = Bounds(min: 0, max: 59)
    static let hours = Bounds(min: 0, max: 23)
    static let daysOfMonth = Bounds(min: 1, max: 31)
    static let months = Bounds(min: 1, max: 12, names: [
        "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
    ])
    // 7 is Sunday as well as 0.
    static let daysOfWeek = Bounds(min: 0, max: 7, names: ["sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6])

    static let starBit: UInt64 = 1 << 63

    /// A comma-separated list of ranges (empty entries skipped, as Go's `FieldsFunc`).
    static func field(_ text: Bytes, _ bounds: Bounds) -> UInt64? {
        var bits: UInt64 = 0
        for expression in text.split(separator: UInt8(ascii: ",")) {
            guard let range = range(expression, bounds) else { return nil }
            bits |= range
        }
        return bits
    }

    /// `*`, `?`, `n` or `a-b`, each with an optional `/step` (`n/step` runs to the
    /// field's maximum). Every field wraps (`22-2`), and a range's size is computed with
    /// Go's unsigned wrap-around, whatever that makes of a start above the maximum.
    static func range(_ expression: Bytes, _ bounds: Bounds) -> UInt64? {
        let rangeAndStep = expression.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        let lowAndHigh = rangeAndStep[0].split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
        var start: UInt64
        var end: UInt64
        var extra: UInt64 = 0
        if lowAndHigh[0].elementsEqual("*".utf8) || lowAndHigh[0].elementsEqual("?".utf8) {
            (start, end, extra) = (bounds.min, bounds.max, starBit)
        } else {
            guard let low = intOrName(lowAndHigh[0], bounds) else { return nil }
            start = low
            switch lowAndHigh.count {
            case 1: end = start
            case 2:
                guard let high = intOrName(lowAndHigh[1], bounds) else { return nil }
                end = high
            default: return nil
            }
        }
        var step: UInt64 = 1
        switch rangeAndStep.count {
        case 1: break
        case 2:
            guard let parsed = nonNegativeInt(rangeAndStep[1]) else { return nil }
            step = parsed
            if lowAndHigh.count == 1 { end = bounds.max }
            if step > 1 { extra = 0 }
        default: return nil
        }
        guard start >= bounds.min, end <= bounds.max, step > 0 else { return nil }
        let size = start > end ? (bounds.max &- start &+ 1) &+ (end &- bounds.min &+ 1) : end - start + 1
        guard step == 1 || step < size else { return nil }

        var bits = extra
        if start > end {
            let span = bounds.max - bounds.min + 1
            var value = start
            while value <= end + span {
                bits |= 1 << (value > bounds.max ? (value - bounds.min) % span + bounds.min : value)
                value &+= step
            }
        } else {
            var value = start
            while value <= end {
                bits |= 1 << value
                value += step
            }
        }
        return bits
    }

    /// A name (case-insensitive) or a number.
    static func intOrName(_ text: Bytes, _ bounds: Bounds) -> UInt64? {
        if !bounds.names.isEmpty, let value = bounds.names[goLowercased(text)] { return value }
        return nonNegativeInt(text)
    }

    /// Go's `strconv.Atoi` (an optional sign, decimal digits, within Int64), negatives
    /// refused.
    static func nonNegativeInt(_ text: Bytes) -> UInt64? {
        var digits = text
        var negative = false
        if let sign = digits.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            negative = sign == UInt8(ascii: "-")
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty else { return nil }
        var value: UInt64 = 0
        for byte in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            let digit = UInt64(byte - UInt8(ascii: "0"))
            guard value <= (UInt64(Int64.max) - digit) / 10 else { return nil }
            value = value * 10 + digit
        }
        return negative && value != 0 ? nil : value
    }

    /// Go's `strings.ToLower` as far as it can make a month or weekday name: the two
    /// non-ASCII letters that lower-case to ASCII ones count.
    static func goLowercased(_ text: Bytes) -> String {
        var result = String.UnicodeScalarView()
        for scalar in String(decoding: text, as: UTF8.self).unicodeScalars {
            switch scalar.value {
            case 0x41...0x5A: result.append(Unicode.Scalar(UInt8(scalar.value) + 32))
            case 0x130: result.append("i")
            case 0x212A: result.append("k")
            default: result.append(scalar)
            }
        }
        return String(result)
    }

    /// Sunday given as 7 is Sunday as 0.
    static func normalizedSunday(_ bits: UInt64) -> UInt64 {
        bits & (1 << 7) != 0 ? (bits | 1) & ~(1 << 7) : bits
    }

    // MARK: Descriptors

    static func descriptor(_ spec: Bytes, zone: ZoneInfo) -> CronSchedule? {
        let everyHour = bits(hours)
        let everyDay = bits(daysOfMonth)
        let everyMonth = bits(months)
        let everyWeekday = normalizedSunday(bits(daysOfWeek))
        func daily(hour: UInt64 = 1, dayOfMonth: UInt64 = everyDay, month: UInt64 = everyMonth, dayOfWeek: UInt64 = everyWeekday)
            -> CronSchedule {
            .fields(Fields(minute: 1, hour: hour, dayOfMonth: dayOfMonth, month: month, dayOfWeek: dayOfWeek, zone: zone))
        }
        switch String(decoding: spec, as: UTF8.self) {
        case "@yearly", "@annually": return daily(dayOfMonth: 1 << 1, month: 1 << 1)
        case "@monthly": return daily(dayOfMonth: 1 << 1)
        case "@weekly": return daily(dayOfWeek: 1)
        case "@daily", "@midnight": return daily()
        case "@hourly": return daily(hour: everyHour)
        case "@triggered", "@manual", "@none": return .triggered
        default: break
        }
        guard spec.starts(with: "@every ".utf8), let nanoseconds = goDuration(spec.dropFirst(7)),
              nanoseconds >= 1_000_000_000 else { return nil }
        return .every(seconds: nanoseconds / 1_000_000_000)
    }

    /// Every value of a field, and the star bit.
    static func bits(_ bounds: Bounds) -> UInt64 {
        (bounds.min...bounds.max).reduce(starBit) { $0 | 1 << $1 }
    }

    /// Go's `time.ParseDuration` in nanoseconds: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, units
    /// ns, us, µs, μs, ms, s, m, h; nil on a syntax error or overflow.
    static func goDuration(_ text: Bytes) -> Int64? {
        var rest = text
        var negative = false
        if let sign = rest.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            rest = rest.dropFirst()
        }
        if rest.elementsEqual("0".utf8) { return 0 }
        guard !rest.isEmpty else { return nil }
        let limit: UInt64 = 1 << 63
        let isDigit = { (byte: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        var total: UInt64 = 0
        while let first = rest.first {
            guard first == UInt8(ascii: ".") || isDigit(first) else { return nil }
            var whole: UInt64 = 0
            var wholeDigits = 0
            while let byte = rest.first, isDigit(byte) {
                guard whole <= limit / 10 else { return nil }
                whole = whole * 10 + UInt64(byte - UInt8(ascii: "0"))
                guard whole <= limit else { return nil }
                rest = rest.dropFirst()
                wholeDigits += 1
            }
            var fraction: UInt64 = 0
            var scale = 1.0
            var fractionDigits = 0
            if rest.first == UInt8(ascii: ".") {
                rest = rest.dropFirst()
                var overflow = false
                while let byte = rest.first, isDigit(byte) {
                    rest = rest.dropFirst()
                    fractionDigits += 1
                    if overflow { continue }
                    if fraction > (limit - 1) / 10 {
                        overflow = true
                        continue
                    }
                    let next = fraction * 10 + UInt64(byte - UInt8(ascii: "0"))
                    if next > limit {
                        overflow = true
                        continue
                    }
                    fraction = next
                    scale *= 10
                }
            }
            guard wholeDigits > 0 || fractionDigits > 0 else { return nil }
            let unitEnd = rest.firstIndex { $0 == UInt8(ascii: ".") || isDigit($0) } ?? rest.endIndex
            guard unitEnd > rest.startIndex, let unit = durationUnits[String(decoding: rest[..<unitEnd], as: UTF8.self)] else {
                return nil
            }
            rest = rest[unitEnd...]
            guard whole <= limit / unit else { return nil }
            whole *= unit
            if fraction > 0 {
                whole += UInt64(Double(fraction) * (Double(unit) / scale))
                guard whole <= limit else { return nil }
            }
            // Go's sum wraps (two halves of 2^64 make 0) before its check.
            total &+= whole
            guard total <= limit else { return nil }
        }
        if negative { return total == limit ? Int64.min : -Int64(total) }
        guard total <= UInt64(Int64.max) else { return nil }
        return Int64(total)
    }

    static let durationUnits: [String: UInt64] = [
        "ns": 1, "us": 1_000, "\u{00B5}s": 1_000, "\u{03BC}s": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
        "m": 60_000_000_000, "h": 3_600_000_000_000,
    ]

    // MARK: Text

    /// Go's `unicode.IsSpace`.
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    /// Go's `strings.Fields`: the runs between white space.
    static func goFields(_ text: Bytes) -> [Bytes] {
        String(decoding: text, as: UTF8.self).unicodeScalars.split(whereSeparator: isSpace).map { field in
            Array(String(String.UnicodeScalarView(field)).utf8)[...]
        }
    }

    /// Go's `strings.TrimSpace`.
    static func trimSpace(_ text: Bytes) -> Bytes {
        let scalars = String(decoding: text, as: UTF8.self).unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else {
            return []
        }
        return Array(String(String.UnicodeScalarView(scalars[first...last])).utf8)[...]
    }

    /// go-cron's characters for a zone name (letters, digits, `/_-+:`).
    static func isZoneNameCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "/"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: ":"):
            return true
        default:
            return false
        }
    }
}

extension CronSchedule.Fields {
    /// go-cron's `SpecSchedule.Next`, step by step: the search starts at the next second,
    /// moves field by field from month to second in the schedule's zone with Go's
    /// calendar arithmetic, starts over whenever a field wraps, and gives up (Go's zero
    /// time) past five years. DST gaps and repeats fall out as they do in Go: a day whose
    /// midnight does not exist is entered at the hour it has, an hour skipped by a
    /// spring-forward change runs at the first hour after it.
    func next(after seconds: Int64) -> Int64 {
        // A field that allows no value at all (`,`) never matches: go-cron searches all
        // five years to find nothing; the answer is the same without the search.
        func allowsSome(_ bits: UInt64, _ values: ClosedRange<UInt64>) -> Bool {
            values.contains { bits & (1 << $0) != 0 }
        }
        guard allowsSome(minute, 0...59), allowsSome(hour, 0...23), allowsSome(dayOfMonth, 1...31), allowsSome(month, 1...12),
              allowsSome(dayOfWeek, 0...6) else { return CronSchedule.zeroTime }
        var t = seconds + 1
        var now = zone.fields(t)
        let yearLimit = now.year + 5
        var added = false

        func set(_ value: Int64) {
            t = value
            now = zone.fields(t)
        }
        func matches(_ value: Int64, _ bits: UInt64) -> Bool {
            value >= 0 && value < 64 && bits & (1 << UInt64(value)) != 0
        }

        wrap: while true {
            guard now.year <= yearLimit else { return CronSchedule.zeroTime }

            while !matches(now.month, month) {
                if !added {
                    added = true
                    set(zone.date(year: now.year, month: now.month, day: 1, hour: 0, minute: 0, second: 0))
                }
                set(zone.date(year: now.year, month: now.month + 1, day: now.day, hour: now.hour, minute: now.minute, second: now.second))
                if now.month == 1 { continue wrap }
            }

            // Day of month and day of week must both match.
            while !(matches(now.day, dayOfMonth) && matches(now.weekday, dayOfWeek)) {
                if !added {
                    added = true
                    set(zone.date(year: now.year, month: now.month, day: now.day, hour: 0, minute: 0, second: 0))
                }
                set(zone.date(year: now.year, month: now.month, day: now.day + 1, hour: now.hour, minute: now.minute, second: now.second))
                // A DST change can move midnight: back to the day's start.
                if now.hour != 0 { set(t + (now.hour > 12 ? 24 - now.hour : -now.hour) * 3600) }
                if now.day == 1 { continue wrap }
            }

            while !matches(now.hour, hour) {
                if !added {
                    added = true
                    set(zone.date(year: now.year, month: now.month, day: now.day, hour: now.hour, minute: 0, second: 0))
                }
                let previousHour = now.hour
                set(t + 3600)
                // A spring-forward change skipped the wanted hour: run now, as ISC cron.
                if now.hour - previousHour == 2, matches(now.hour - 1, hour) { break }
                if now.hour == 0 { continue wrap }
            }

            while !matches(now.minute, minute) {
                if !added {
                    added = true
                    set(t - ZoneInfo.floorModulo(t, 60))
                }
                set(t + 60)
                if now.minute == 0 { continue wrap }
            }

            // go-cron drops what its second step sets `added` to.
            while now.second != 0 {
                set(t + 1)
                if now.second == 0 { continue wrap }
            }
            return t
        }
    }
}
