import KubeWatch

/// A v1 LimitRange: the fields kube-state-metrics' limitrange families read.
public struct LimitRange: KubeResource, Hashable {
    public static let descriptor = ResourceDescriptor(name: "limitranges", identity: ["namespace", "limitrange"])

    public var metadata = ObjectMeta()
    public var limits: [Item] = []

    public init() {}

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        switch key {
        case "metadata": try reader.read(&metadata, context)
        case "spec":
            try reader.readObject { reader, key in
                if key == "limits" { try reader.read(&limits, context) } else { try reader.skipValue() }
            }
        default: try reader.skipValue()
        }
    }

    /// One entry of `spec.limits`: the constraints on one type of object.
    public struct Item: Sendable, Hashable, JSONObjectDecodable {
        public var type = ""
        public var min: [ResourceQuantity] = []
        public var max: [ResourceQuantity] = []
        public var defaultLimit: [ResourceQuantity] = []
        public var defaultRequest: [ResourceQuantity] = []
        public var maxLimitRequestRatio: [ResourceQuantity] = []

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "type": try reader.read(&type)
            case "min": try reader.read(&min)
            case "max": try reader.read(&max)
            case "default": try reader.read(&defaultLimit)
            case "defaultRequest": try reader.read(&defaultRequest)
            case "maxLimitRequestRatio": try reader.read(&maxLimitRequestRatio)
            default: try reader.skipValue()
            }
        }
    }
}
