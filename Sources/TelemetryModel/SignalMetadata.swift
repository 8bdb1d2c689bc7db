/// Telegen's classification of a signal, sent with every OTLP metric in
/// `Metric.metadata` so backends can index and group what the agent emits.
public struct SignalMetadata: Sendable, Hashable {
    public var category: String
    public var subcategory: String
    public var sourceModule: String
    public var collectorType: String
    public var description: String

    public init(category: String, subcategory: String, sourceModule: String, collectorType: String, description: String) {
        self.category = category
        self.subcategory = subcategory
        self.sourceModule = sourceModule
        self.collectorType = collectorType
        self.description = description
    }

    public static let categoryKey = "telegen.signal.category"
    public static let subcategoryKey = "telegen.signal.subcategory"
    public static let sourceModuleKey = "telegen.source.module"
    public static let collectorTypeKey = "telegen.collector.type"
    public static let descriptionKey = "telegen.signal.description"

    /// The key/value pairs to attach, in a fixed order, limited to the enabled fields.
    public func attributes(_ fields: SignalMetadataFields) -> [(key: String, value: String)] {
        var result: [(key: String, value: String)] = []
        if fields.category { result.append((Self.categoryKey, category)) }
        if fields.subcategory { result.append((Self.subcategoryKey, subcategory)) }
        if fields.sourceModule { result.append((Self.sourceModuleKey, sourceModule)) }
        if fields.collectorType { result.append((Self.collectorTypeKey, collectorType)) }
        if fields.description { result.append((Self.descriptionKey, description)) }
        return result
    }
}

/// Which metadata fields are sent (`kube_metrics.signal_metadata.fields`).
public struct SignalMetadataFields: Sendable, Hashable {
    public var category = true
    public var subcategory = true
    public var sourceModule = true
    public var collectorType = true
    /// Off by default: the description repeats for every metric and is mostly for people.
    public var description = false

    public init() {}
}
