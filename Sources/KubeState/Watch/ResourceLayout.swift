import KubeWatch
import TelemetryModel

/// A kind's families as this agent serves them: its generator table after
/// `metric_opt_in` and the metric allow/deny lists, with what decoding, recording and
/// rendering need to know about them, computed once.
struct ResourceLayout<Resource: KubeResource>: Sendable {
    let families: [Family<Resource>]
    let format: SampleRecordFormat
    /// Per family: the identity names followed by the family's own.
    let labelNames: [[String]]
    let identityNames: [String]
    let decoding: DecodingContext
    let allowlisted: (labels: Bool, annotations: Bool)

    init(options: ResourceOptions) {
        let identity = Resource.descriptor.identity
        families = Resource.families.filter { family in
            (!family.optIn || options.optedIn(family.name)) && options.filter.includes(family.name)
        }
        identityNames = identity
        labelNames = families.map { identity + $0.labels }
        format = SampleRecordFormat(
            identityInline: identity.map { $0 != "namespace" },
            families: families.map { family in
                SampleRecordFormat.FamilyShape(labelCount: family.labels.count, dynamic: family.dynamic,
                                               inline: family.labels.map(SampleRecordFormat.isPerObject))
            })
        decoding = DecodingContext(labels: KeyAllowlist(options.labelsAllowlist), annotations: KeyAllowlist(options.annotationsAllowlist),
                                   capturedAnnotations: Resource.descriptor.capturedAnnotations.union(options.capturedAnnotations),
                                   capturedLabels: options.capturedLabels, optIn: Set(families.filter(\.optIn).map(\.name)))
        allowlisted = (!options.labelsAllowlist.isEmpty, !options.annotationsAllowlist.isEmpty)
    }

    /// A writer for this kind's rules (kept and reused by each sink).
    func makeWriter() -> SampleWriter {
        SampleWriter(labelsAllowlisted: allowlisted.labels, annotationsAllowlisted: allowlisted.annotations)
    }

    /// Runs every rule on the object, in family order, into `writer`. Through a
    /// buffer pointer: iterating the array copied each family (its header's strings,
    /// its label names and its rule), retaining and releasing all of them per object.
    func render(_ object: Resource, into writer: inout SampleWriter) {
        writer.removeAll()
        families.withUnsafeBufferPointer { families in
            for index in families.indices {
                writer.beginFamily()
                families[index].emit(object, &writer)
            }
        }
    }
}

/// What configuration says about one kind: its allowlists, the opt-in patterns and
/// the metric allow/deny lists.
public struct ResourceOptions: Sendable {
    public var labelsAllowlist: [String]
    public var annotationsAllowlist: [String]
    /// `metric_opt_in`: regular expressions matched anywhere in a family name.
    public var optIn: [String]
    public var filter: FamilyFilter
    /// Read for an observer of the kind, never rendered.
    public var capturedAnnotations: Set<String>
    public var capturedLabels: Set<String>

    public init(labelsAllowlist: [String] = [], annotationsAllowlist: [String] = [], optIn: [String] = [],
                filter: FamilyFilter = .everything, capturedAnnotations: Set<String> = [], capturedLabels: Set<String> = []) {
        self.labelsAllowlist = labelsAllowlist
        self.annotationsAllowlist = annotationsAllowlist
        self.optIn = optIn
        self.filter = filter
        self.capturedAnnotations = capturedAnnotations
        self.capturedLabels = capturedLabels
    }

    func optedIn(_ family: String) -> Bool {
        optIn.contains { pattern in (try? Regex(pattern)).map { family.firstMatch(of: $0) != nil } ?? false }
    }
}
