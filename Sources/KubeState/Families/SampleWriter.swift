/// What a family's rule writes one object's samples into. The rule gives label values
/// in the order its family declares the label names (after the identity labels the
/// renderer puts first), or, for families whose label names depend on the object
/// (`*_labels`, `kube_ingress_path`), names and values together.
public struct SampleWriter {
    struct Sample {
        /// Set only for families whose names vary per object.
        var names: [String]?
        var values: [String]
        var value: Double
    }

    private(set) var samples: [Sample] = []
    /// Whether `metric_labels_allowlist` / `metric_annotations_allowlist` name the
    /// kind: without, its `*_labels` / `*_annotations` families have no sample.
    public let labelsAllowlisted: Bool
    public let annotationsAllowlisted: Bool

    init(labelsAllowlisted: Bool = false, annotationsAllowlisted: Bool = false) {
        self.labelsAllowlisted = labelsAllowlisted
        self.annotationsAllowlisted = annotationsAllowlisted
    }

    /// A sample with the family's declared labels.
    public mutating func add(_ values: [String], _ value: Double) {
        samples.append(Sample(names: nil, values: values, value: value))
    }

    /// A sample with the identity labels only.
    public mutating func add(_ value: Double) {
        samples.append(Sample(names: nil, values: [], value: value))
    }

    /// A sample whose label names are given with it (families declared `dynamic`).
    public mutating func add(names: [String], values: [String], _ value: Double) {
        samples.append(Sample(names: names, values: values, value: value))
    }

    mutating func removeAll() {
        samples.removeAll(keepingCapacity: true)
    }
}
