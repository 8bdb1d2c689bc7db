import TelemetryModel

/// One kube-state-metrics family of a kind of object: its header, the names of its
/// labels after the identity labels, and the rule that turns one object into
/// samples. A resource's families, in kube-state-metrics' output order, form its
/// generator table (`KubeResource.families`).
public struct Family<Object>: Sendable {
    public let header: FamilyHeader
    /// Label names after the identity labels; empty for `dynamic` families.
    public let labels: [String]
    /// The label names come with each sample (`SampleWriter.add(names:values:_:)`).
    public let dynamic: Bool
    /// Left out unless `metric_opt_in` names it.
    public let optIn: Bool
    let emit: @Sendable (Object, inout SampleWriter) -> Void

    public init(_ name: String, _ help: String, _ stability: Stability = .alpha, type: MetricType = .gauge,
                labels: [String] = [], dynamic: Bool = false, optIn: Bool = false,
                emit: @escaping @Sendable (Object, inout SampleWriter) -> Void) {
        header = FamilyHeader(name: name, help: help, type: type, stability: stability)
        self.labels = labels
        self.dynamic = dynamic
        self.optIn = optIn
        self.emit = emit
    }

    public var name: String { header.name }

    /// One sample with the identity labels only; no sample when `value` is nil.
    public static func gauge(_ name: String, _ help: String, _ stability: Stability = .alpha,
                             _ value: @escaping @Sendable (Object) -> Double?) -> Family {
        Family(name, help, stability) { object, out in
            if let value = value(object) { out.add(value) }
        }
    }

    /// One sample of value 1 with the declared labels; no sample when `values` is nil.
    public static func info(_ name: String, _ help: String, _ stability: Stability = .alpha, labels: [String],
                            _ values: @escaping @Sendable (Object) -> [String]?) -> Family {
        Family(name, help, stability, labels: labels) { object, out in
            if let values = values(object) { out.add(values, 1) }
        }
    }
}
