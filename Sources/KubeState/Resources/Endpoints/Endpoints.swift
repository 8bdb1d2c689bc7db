import KubeWatch

/// A v1 Endpoints object: the fields kube-state-metrics' endpoint families read.
public struct Endpoints: KubeResource, Hashable {
    // Not in kube-state-metrics' default set since EndpointSlices replaced it.
    public static let descriptor = ResourceDescriptor(name: "endpoints", identity: ["namespace", "endpoint"], enabledByDefault: false)

    public var metadata = ObjectMeta()
    public var subsets: [Subset] = []

    public init() {}

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        switch key {
        case "metadata": try reader.read(&metadata, context)
        case "subsets": try reader.read(&subsets, context)
        default: try reader.skipValue()
        }
    }

    public struct Subset: Sendable, Hashable, JSONObjectDecodable {
        public var addresses: [Address] = []
        public var notReadyAddresses: [Address] = []
        public var ports: [Port] = []

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "addresses": try reader.read(&addresses, context)
            case "notReadyAddresses": try reader.read(&notReadyAddresses, context)
            case "ports": try reader.read(&ports, context)
            default: try reader.skipValue()
            }
        }
    }

    public struct Address: Sendable, Hashable, JSONObjectDecodable {
        public var ip = ""

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            if key == "ip" { try reader.read(&ip) } else { try reader.skipValue() }
        }
    }

    public struct Port: Sendable, Hashable, JSONObjectDecodable {
        public var name = ""
        public var port: Int64 = 0
        public var `protocol` = ""

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "name": try reader.read(&name)
            case "port": try reader.read(&port)
            case "protocol": try reader.read(&`protocol`)
            default: try reader.skipValue()
            }
        }
    }
}
