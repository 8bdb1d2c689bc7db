import TelemetryModel

/// One kube-state-metrics family for a kind of object: its header and the rule that
/// turns one object into samples. A resource's families form its generator table.
struct ObjectFamily<Object>: Sendable {
    let name: String
    let help: String
    let type: MetricType
    let stability: Stability
    let emit: @Sendable (Object, inout SampleWriter) -> Void

    init(_ name: String, _ help: String, type: MetricType = .gauge, stability: Stability = .alpha,
         emit: @escaping @Sendable (Object, inout SampleWriter) -> Void) {
        self.name = name
        self.help = help
        self.type = type
        self.stability = stability
        self.emit = emit
    }
}

/// Collects one family's samples for one object, prefixing the object's identity
/// labels (`namespace, pod, uid` for pods) to every sample.
struct SampleWriter {
    let identityNames: [String]
    let identityValues: [String]
    private(set) var series: [Series] = []

    init(identityNames: [String], identityValues: [String], series: [Series]) {
        self.identityNames = identityNames
        self.identityValues = identityValues
        self.series = series
    }

    /// A sample with the identity labels only.
    mutating func add(_ value: Double) {
        series.append(Series(labels: LabelSet(names: identityNames, values: identityValues), value: value))
    }

    /// A sample with more labels after the identity ones. `names` is usually a
    /// constant array, shared by every sample that uses it.
    mutating func add(_ names: [String], _ values: [String], _ value: Double) {
        series.append(Series(labels: LabelSet(names: identityNames + names, values: identityValues + values), value: value))
    }

    mutating func take() -> [Series] {
        defer { series = [] }
        return series
    }
}

extension Array {
    /// Renders objects through a generator table into `families` (one per entry, in
    /// table order, made beforehand so that a family has its header even when no
    /// object has a sample for it, as kube-state-metrics writes it).
    static func append<Objects: Sequence>(
        _ table: [ObjectFamily<Objects.Element>], objects: Objects, to families: inout [MetricFamily],
        identity: (Objects.Element) -> (names: [String], values: [String])
    ) where Element == MetricFamily {
        precondition(families.count == table.count, "families were made from another table")
        for object in objects {
            let (names, values) = identity(object)
            for index in table.indices {
                var writer = SampleWriter(identityNames: names, identityValues: values, series: families[index].series)
                families[index].series = []
                table[index].emit(object, &writer)
                families[index].series = writer.take()
            }
        }
    }
}
