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

/// Renders objects, one at a time, through a generator table: one family per entry
/// in table order, each with its header even when no object has a sample for it (as
/// kube-state-metrics writes a resource that has objects).
struct FamilyRenderer<Object> {
    private let table: [ObjectFamily<Object>]
    private let identity: (Object) -> (names: [String], values: [String])
    private(set) var families: [MetricFamily]

    init(_ table: [ObjectFamily<Object>], identity: @escaping (Object) -> (names: [String], values: [String])) {
        self.table = table
        self.identity = identity
        families = table.map { MetricFamily(name: $0.name, help: $0.help, type: $0.type, stability: $0.stability) }
    }

    mutating func add(_ object: Object) {
        let (names, values) = identity(object)
        for index in table.indices {
            var writer = SampleWriter(identityNames: names, identityValues: values, series: families[index].series)
            families[index].series = []
            table[index].emit(object, &writer)
            families[index].series = writer.take()
        }
    }
}
