import TelemetryModel

/// What a family's rule writes one object's samples into. The rule gives label values
/// in the order its family declares the label names (after the identity labels the
/// renderer puts first), or, for families whose label names depend on the object
/// (`*_labels`, `kube_ingress_path`), names and values together.
///
/// One writer takes every family of an object in turn (`beginFamily`), keeping all
/// samples' values in one array: recording an object makes a handful of allocations,
/// not one per sample. The values are kept as their UTF-8 bytes, one after another,
/// not as strings: a string kept is retained when added, retained and released again
/// around each use by the encoder (it is read from memory the callee might change) and
/// released when cleared, four atomic operations per label value, a tenth of encoding
/// a pod; copying a label value's few bytes costs less. The runs are `PlainBuffer`s, not
/// arrays (no uniqueness check per append), which makes the writer not copyable: one
/// per sink, lent to each rule.
public struct SampleWriter: ~Copyable {
    /// Plain data (no reference in it), so that appending and clearing samples
    /// retains and releases nothing.
    struct Sample {
        /// The sample's values are `valueEnds[valueStart..<valueStart + valueCount]`.
        var valueStart: Int
        var valueCount: Int
        var value: Double
        /// For families whose names vary per object, the index of its names in
        /// `dynamicNames`; -1 for the rest.
        var namesIndex = -1
    }

    private(set) var samples = PlainBuffer<Sample>()
    /// The label names of the samples of `dynamic` families.
    private(set) var dynamicNames: [[String]] = []
    /// Every value's UTF-8 bytes, in order.
    private(set) var valueBytes = PlainBuffer<UInt8>(capacity: 4096)
    /// Where each value's bytes end in `valueBytes` (each starts where the one before
    /// ends, the first at 0).
    private(set) var valueEnds = PlainBuffer<Int>(capacity: 256)
    /// Where each family's samples start in `samples`.
    private(set) var familyStarts = PlainBuffer<Int>()
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
        samples.append(Sample(valueStart: valueEnds.count, valueCount: values.count, value: value))
        for label in values { append(label) }
    }

    /// A sample whose declared labels are `values` and then `last`: a rule's shared
    /// labels followed by the one each of its samples varies (a condition's status)
    /// without building an array per sample.
    public mutating func add(_ values: [String], then last: String, _ value: Double) {
        samples.append(Sample(valueStart: valueEnds.count, valueCount: values.count + 1, value: value))
        for label in values { append(label) }
        append(last)
    }

    /// A sample of a family with one declared label.
    public mutating func add(_ label: String, _ value: Double) {
        samples.append(Sample(valueStart: valueEnds.count, valueCount: 1, value: value))
        append(label)
    }

    /// A sample with the identity labels only.
    public mutating func add(_ value: Double) {
        samples.append(Sample(valueStart: valueEnds.count, valueCount: 0, value: value))
    }

    /// A sample whose label names are given with it (families declared `dynamic`).
    public mutating func add(names: [String], values: [String], _ value: Double) {
        samples.append(Sample(valueStart: valueEnds.count, valueCount: values.count, value: value, namesIndex: dynamicNames.count))
        dynamicNames.append(names)
        for label in values { append(label) }
    }

    private mutating func append(_ label: String) {
        if label.utf8.withContiguousStorageIfAvailable({ valueBytes.append(contentsOf: $0) }) == nil {
            var label = label
            label.withUTF8 { valueBytes.append(contentsOf: $0) }
        }
        valueEnds.append(valueBytes.count)
    }

    // MARK: For the recorder

    /// The next samples belong to the next family.
    mutating func beginFamily() {
        familyStarts.append(samples.count)
    }

    /// The samples of family `index` (in `beginFamily` order).
    func samples(ofFamily index: Int) -> [Sample] {
        let start = familyStarts[index]
        let end = index + 1 < familyStarts.count ? familyStarts[index + 1] : samples.count
        return samples.withUnsafeBufferPointer { Array($0[start..<end]) }
    }

    /// A sample's own label names, when its family's vary per object.
    func names(of sample: Sample) -> [String]? {
        sample.namesIndex >= 0 && sample.namesIndex < dynamicNames.count ? dynamicNames[sample.namesIndex] : nil
    }

    /// A sample's label values, as strings (the encoder reads the bytes in place).
    func values(of sample: Sample) -> [String] {
        valueBytes.withUnsafeBufferPointer { bytes in
            (sample.valueStart..<sample.valueStart + sample.valueCount).map { index in
                let start = index == 0 ? 0 : valueEnds[index - 1]
                return String(decoding: bytes[start..<valueEnds[index]], as: UTF8.self)
            }
        }
    }

    mutating func removeAll() {
        samples.removeAll()
        dynamicNames.removeAll(keepingCapacity: true)
        valueBytes.removeAll()
        valueEnds.removeAll()
        familyStarts.removeAll()
    }
}
