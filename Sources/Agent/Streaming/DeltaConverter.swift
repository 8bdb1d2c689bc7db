import TelemetryModel

/// Turns cumulative counters into deltas for `temporality: delta`: each point becomes
/// the increase since the previous push, starting at that push's time. The first
/// sight of a series only sets its baseline (there is nothing to subtract from yet),
/// and a counter that went down restarted: its delta is the new value, from the
/// series' own start time. Gauges pass through unchanged.
struct DeltaConverter {
    private struct Key: Hashable {
        var family: String
        var labels: LabelSet
    }

    private var previous: [Key: (value: Double, time: UInt64)] = [:]

    mutating func convert(_ families: [MetricFamily], at time: UInt64) -> [MetricFamily] {
        families.map { family in
            guard family.type == .counter else { return family }
            var converted = family
            converted.series = family.series.compactMap { series in
                let key = Key(family: family.name, labels: series.labels)
                defer { previous[key] = (series.value, time) }
                guard let last = previous[key] else { return nil }
                var delta = series
                if series.value >= last.value {
                    delta.value = series.value - last.value
                    delta.startTimeUnixNano = last.time
                }
                return delta
            }
            return converted
        }
    }

    /// Forgets series that no longer exist, so memory follows the live set.
    mutating func retain(_ families: [MetricFamily]) {
        var live = Set<Key>()
        for family in families where family.type == .counter {
            for series in family.series { live.insert(Key(family: family.name, labels: series.labels)) }
        }
        previous = previous.filter { live.contains($0.key) }
    }
}
