/// The metadata every object shares. `labels` and `annotations` hold only what the
/// allowlists of the object's kind name (the decoder drops the rest: they are most of
/// an object's text); `capturedAnnotations` the ones its families read regardless, and
/// `capturedAnnotations`/`capturedLabels` also what an observer of the kind asked for.
public struct ObjectMeta: Sendable, Hashable, JSONObjectDecodable {
    public var name = ""
    public var namespace = ""
    public var uid = ""
    public var resourceVersion = ""
    public var generation: Int64 = 0
    public var creationTimestamp: Timestamp?
    public var deletionTimestamp: Timestamp?
    public var labels: [KeyValue] = []
    public var annotations: [KeyValue] = []
    public var capturedAnnotations: [KeyValue] = []
    public var capturedLabels: [KeyValue] = []
    public var ownerReferences: [OwnerReference] = []

    public init() {}

    public struct OwnerReference: Sendable, Hashable, JSONObjectDecodable {
        public var kind = ""
        public var name = ""
        public var controller: Bool?

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "kind": try reader.read(&kind)
            case "name": try reader.read(&name)
            case "controller": try reader.read(&controller)
            default: try reader.skipValue()
            }
        }
    }

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        switch key {
        case "name": try reader.read(&name)
        case "namespace": try reader.read(&namespace)
        case "uid": try reader.read(&uid)
        case "resourceVersion": try reader.read(&resourceVersion)
        case "generation": try reader.read(&generation)
        case "creationTimestamp": try reader.read(&creationTimestamp)
        case "deletionTimestamp": try reader.read(&deletionTimestamp)
        case "labels":
            guard !context.capturedLabels.isEmpty else { return try reader.read(&labels, keeping: context.labels) }
            try reader.readObject { reader, key in
                let name = key.string
                let wanted = context.labels.contains(name)
                guard wanted || context.capturedLabels.contains(name) else { return try reader.skipValue() }
                let value = try reader.readString() ?? ""
                if wanted { labels.append(KeyValue(name, value)) }
                if context.capturedLabels.contains(name) { capturedLabels.append(KeyValue(name, value)) }
            }
            labels.sort { $0.key < $1.key }
        case "annotations":
            guard !context.capturedAnnotations.isEmpty else { return try reader.read(&annotations, keeping: context.annotations) }
            try reader.readObject { reader, key in
                let name = key.string
                let wanted = context.annotations.contains(name)
                guard wanted || context.capturedAnnotations.contains(name) else { return try reader.skipValue() }
                let value = try reader.readString() ?? ""
                if wanted { annotations.append(KeyValue(name, value)) }
                if context.capturedAnnotations.contains(name) { capturedAnnotations.append(KeyValue(name, value)) }
            }
            annotations.sort { $0.key < $1.key }
        case "ownerReferences": try reader.read(&ownerReferences, context)
        default: try reader.skipValue()
        }
    }

    /// The owner reference marked `controller: true`, if any.
    public var controller: OwnerReference? {
        ownerReferences.first { $0.controller == true }
    }
}
