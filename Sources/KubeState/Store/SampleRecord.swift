import KubeWatch
import TelemetryModel

/// The record kept for each object: its kube-state samples as rendered when the
/// object last changed — kube-state-metrics' own model (it renders on every event and
/// serves the cached text), but compact: label values by string-table ID or packed
/// inline, values as varints where they are whole numbers. A scrape or a push then
/// walks records and writes samples, with no decoding of objects and no rule run.
///
/// Layout (`RecordWriter` encoding):
///
///     record  := identity-value{identity count} section*
///     section := family-index  byte-length  sample-count  sample{sample-count}
///     sample  := [name-count name{name-count}]  value-string{label count}  value
///
/// Sections are in family order and only for families with samples; names are
/// present only for `dynamic` families, whose label count is the name count.
/// `encode`, `release` and `render` are the three walks of this one layout, kept
/// side by side here so they cannot drift.
struct SampleRecordFormat: RecordFormat {
    struct FamilyShape: Sendable {
        var labelCount: Int
        var dynamic: Bool
        /// Per declared label: kept inline rather than in the string table.
        var inline: [Bool]
    }

    let identityInline: [Bool]
    let families: [FamilyShape]
    /// The shapes' counts and flags on their own, for the render loop (no array
    /// retained per record).
    private let identityCount: Int
    private let labelCounts: [Int]
    private let dynamicFamilies: [Bool]
    /// Per family, bit `i` set when declared label `i` is kept inline (for the encode
    /// loop: no array retained per sample).
    private let inlineMasks: [UInt64]

    init(identityInline: [Bool], families: [FamilyShape]) {
        self.identityInline = identityInline
        self.families = families
        identityCount = identityInline.count
        labelCounts = families.map(\.labelCount)
        dynamicFamilies = families.map(\.dynamic)
        inlineMasks = families.map { shape in
            shape.inline.prefix(64).enumerated().reduce(0) { mask, label in label.element ? mask | 1 << UInt64(label.offset) : mask }
        }
    }

    /// Label values unique to one object (addresses, container IDs) are kept inline;
    /// values many objects share (namespaces, nodes, images, reasons) by table ID.
    static func isPerObject(_ label: String) -> Bool {
        perObjectLabels.contains(label)
    }

    private static let perObjectLabels: Set<String> = [
        "uid", "pod_ip", "ip", "container_id", "address", "hostname", "external_ip", "internal_ip", "cluster_ip",
        "loadbalancer_ip", "provider_id", "system_uuid", "target_ref_name", "targetref_name", "endpoint_hostname",
        "volumename", "persistentvolumeclaim", "claim_name", "resourceclaim_name", "ebs_volume_id", "csi_volume_handle",
        "gce_persistent_disk_name", "azure_disk_name", "job_name", "owner_name", "created_by_name", "revision",
    ]

    // MARK: Encoding

    /// Writes an object's identity values and the samples each family produced.
    ///
    /// The writer's arrays are walked through buffer pointers and the values handed
    /// on in place, as UTF-8 bytes: slicing them per family and per sample retained
    /// and released the arrays, and strings read from them were retained around each
    /// call.
    func encode(identity: [String], samples writer: borrowing SampleWriter, into out: inout RecordWriter) {
        for (index, value) in identity.enumerated() {
            if identityInline[index] { out.unique(value) } else { out.shared(value) }
        }
        var part = out.makePartWriter()
        let none = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
        writer.samples.withUnsafeBufferPointer { samples in
            writer.valueBytes.withUnsafeBufferPointer { bytes in
                writer.valueEnds.withUnsafeBufferPointer { ends in
                    writer.familyStarts.withUnsafeBufferPointer { starts in
                        /// Value `index`'s bytes.
                        func value(_ index: Int) -> UnsafeBufferPointer<UInt8> {
                            let start = index == 0 ? 0 : ends[index - 1]
                            return UnsafeBufferPointer(rebasing: bytes[start..<ends[index]])
                        }
                        for familyIndex in 0..<min(families.count, starts.count) {
                            let start = starts[familyIndex]
                            let end = familyIndex + 1 < starts.count ? starts[familyIndex + 1] : samples.count
                            guard start < end else { continue }
                            let dynamic = dynamicFamilies[familyIndex]
                            let labelCount = labelCounts[familyIndex]
                            let inline = inlineMasks[familyIndex]
                            part.removeAll()
                            for sampleIndex in start..<end {
                                let valueStart = samples[sampleIndex].valueStart
                                let valueCount = samples[sampleIndex].valueCount
                                if dynamic {
                                    let names = writer.names(of: samples[sampleIndex]) ?? []
                                    part.unsigned(UInt64(names.count))
                                    for name in names { part.shared(name) }
                                    for index in 0..<names.count {
                                        part.shared(utf8: index < valueCount ? value(valueStart + index) : none)
                                    }
                                } else {
                                    for index in 0..<labelCount {
                                        let text = index < valueCount ? value(valueStart + index) : none
                                        if index < 64 && inline & (1 << UInt64(index)) != 0 {
                                            part.unique(utf8: text)
                                        } else {
                                            part.shared(utf8: text)
                                        }
                                    }
                                }
                                part.double(samples[sampleIndex].value)
                            }
                            out.unsigned(UInt64(familyIndex))
                            out.unsigned(UInt64(part.count))
                            out.unsigned(UInt64(end - start))
                            out.append(part)
                        }
                    }
                }
            }
        }
    }

    // MARK: Releasing

    func release(_ record: inout RecordReader) {
        // An empty record: the kind is only observed, not recorded.
        guard !record.isAtEnd else { return }
        for _ in identityInline { record.skipString(releasing: true) }
        while !record.isAtEnd {
            let familyIndex = Int(clamping: record.unsigned())
            _ = record.unsigned()
            let count = record.count()
            guard familyIndex < families.count else { return }
            let shape = families[familyIndex]
            for _ in 0..<count {
                let labelCount: Int
                if shape.dynamic {
                    labelCount = record.count()
                    for _ in 0..<labelCount { record.skipString(releasing: true) }
                } else {
                    labelCount = shape.labelCount
                }
                for _ in 0..<labelCount { record.skipString(releasing: true) }
                _ = record.double()
            }
        }
    }

    // MARK: Rendering

    /// Writes the record's samples of family `familyIndex` into `sink`, if it has
    /// any, and returns where the next family's section may start. `from` is where to
    /// look for the section: 0 (the record's start) or what an earlier call for a lower
    /// family returned. `names` holds the identity names followed by the family's own,
    /// and `labels` (scratch space) must come with them as its names: set once per
    /// batch of records, not per record (an array retained and released each time).
    func render<Sink: FamilySink>(family familyIndex: Int, from start: Int, names: [String], identityNames: [String],
                                  record: inout RecordReader, labels: inout SampleLabels, into sink: inout Sink) -> Int {
        if start == 0 {
            guard !record.isAtEnd else { return 0 }
            for _ in 0..<identityCount { record.skipString() }
        } else {
            record.seek(to: start)
        }
        while !record.isAtEnd {
            let sectionStart = record.offset
            let index = Int(clamping: record.unsigned())
            let length = Int(clamping: record.unsigned())
            if index < familyIndex {
                _ = record.unsigned()
                record.skip(length)
                continue
            }
            guard index == familyIndex else { return sectionStart }
            let count = record.count()
            // The identity values, once for all the family's samples.
            let samplesStart = record.offset
            record.seek(to: 0)
            labels.removeValues()
            for _ in 0..<identityCount { record.appendLabelValue(to: &labels) }
            record.seek(to: samplesStart)
            if dynamicFamilies[familyIndex] {
                for _ in 0..<count {
                    labels.truncateValues(to: identityCount)
                    let nameCount = record.count()
                    var sampleNames = identityNames
                    for _ in 0..<nameCount { sampleNames.append(record.string()) }
                    labels.names = sampleNames
                    for _ in 0..<nameCount { record.appendLabelValue(to: &labels) }
                    sink.sample(labels, value: record.double(), startTimeUnixNano: nil)
                }
                labels.names = names
                return record.offset
            }
            let labelCount = labelCounts[familyIndex]
            for _ in 0..<count {
                labels.truncateValues(to: identityCount)
                for _ in 0..<labelCount { record.appendLabelValue(to: &labels) }
                sink.sample(labels, value: record.double(), startTimeUnixNano: nil)
            }
            return record.offset
        }
        return record.offset
    }
}
