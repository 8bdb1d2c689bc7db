/// What a family's rule writes one object's samples into. The rule gives label values
/// in the order its family declares the label names (after the identity labels the
/// renderer puts first), or, for families whose label names depend on the object
/// (`*_labels`, `kube_ingress_path`), names and values together.
///
/// One writer takes every family of an object in turn (`beginFamily`), keeping all
/// samples' values in one array: recording an object makes a handful of allocations,
/// not one per sample.
public struct SampleWriter {
    struct Sample {
        /// Set only for families whose names vary per object.
        var names: [String]?
        var valueStart: Int
        var valueCount: Int
        var value: Double
    }

    private(set) var samples: [Sample] = []
    private(set) var values: [String] = []
    /// Where each family's samples start in `samples`.
    private(set) var familyStarts: [Int] = []
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
        samples.append(Sample(names: nil, valueStart: self.values.count, valueCount: values.count, value: value))
        self.values.append(contentsOf: values)
    }

    /// A sample of a family with one declared label.
    public mutating func add(_ label: String, _ value: Double) {
        samples.append(Sample(names: nil, valueStart: values.count, valueCount: 1, value: value))
        values.append(label)
    }

    /// A sample with the identity labels only.
    public mutating func add(_ value: Double) {
        samples.append(Sample(names: nil, valueStart: values.count, valueCount: 0, value: value))
    }

    /// A sample whose label names are given with it (families declared `dynamic`).
    public mutating func add(names: [String], values: [String], _ value: Double) {
        samples.append(Sample(names: names, valueStart: self.values.count, valueCount: values.count, value: value))
        self.values.append(contentsOf: values)
    }

    // MARK: For the recorder

    /// The next samples belong to the next family.
    mutating func beginFamily() {
        familyStarts.append(samples.count)
    }

    /// The samples of family `index` (in `beginFamily` order).
    func samples(ofFamily index: Int) -> ArraySlice<Sample> {
        let start = familyStarts[index]
        let end = index + 1 < familyStarts.count ? familyStarts[index + 1] : samples.count
        return samples[start..<end]
    }

    /// A sample's label values.
    func values(of sample: Sample) -> ArraySlice<String> {
        values[sample.valueStart..<sample.valueStart + sample.valueCount]
    }

    mutating func removeAll() {
        samples.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        familyStarts.removeAll(keepingCapacity: true)
    }
}
