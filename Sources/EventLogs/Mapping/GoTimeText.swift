import KubeWatch

/// A UTC time as Go's `time.Time.String()` writes it (`2026-11-30 10:15:42 +0000 UTC`,
/// a fraction only when there is one, trailing zeros dropped): the form of the
/// Collector receiver's `k8s.event.start_time`, kept so that its users' queries match.
enum GoTimeText {
    static func utc(_ time: MicroTime) -> String {
        let nanoseconds = time.unixNanoseconds
        var seconds = nanoseconds / 1_000_000_000
        var fraction = nanoseconds % 1_000_000_000
        if fraction < 0 {
            seconds -= 1
            fraction += 1_000_000_000
        }
        var days = seconds / 86400
        var ofDay = seconds % 86400
        if ofDay < 0 {
            days -= 1
            ofDay += 86400
        }
        let date = CivilCalendar.date(days: days)
        var text = "\(pad(date.year, 4))-\(pad(date.month, 2))-\(pad(date.day, 2)) "
        text += "\(pad(ofDay / 3600, 2)):\(pad(ofDay / 60 % 60, 2)):\(pad(ofDay % 60, 2))"
        if fraction > 0 {
            var digits = pad(fraction, 9)
            while digits.last == "0" { digits.removeLast() }
            text += "." + digits
        }
        return text + " +0000 UTC"
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
