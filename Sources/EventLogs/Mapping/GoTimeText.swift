import KubeWatch

/// A UTC time as Go's `time.Time.String()` writes it (`2026-11-30 10:15:42 +0000 UTC`,
/// a fraction only when there is one, trailing zeros dropped): the form of the
/// Collector receiver's `k8s.event.start_time`, kept so that its users' queries match.
enum GoTimeText {
    static func utc(_ time: MicroTime) -> String {
        let utc = time.utc
        var text = "\(pad(utc.year, 4))-\(pad(utc.month, 2))-\(pad(utc.day, 2)) "
        text += "\(pad(utc.hour, 2)):\(pad(utc.minute, 2)):\(pad(utc.second, 2))"
        if utc.nanosecond > 0 {
            var digits = pad(utc.nanosecond, 9)
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
