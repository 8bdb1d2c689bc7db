import KubeWatch

/// A discovery.k8s.io/v1 EndpointSlice: the fields kube-state-metrics' endpointslice
/// families read. Optional fields are Go pointers there: nil writes "" labels.
public struct EndpointSlice: KubeResource, Hashable {
    public static let descriptor = ResourceDescriptor(name: "endpointslices", group: "discovery.k8s.io",
                                                      identity: ["endpointslice", "namespace"])

    public var metadata = ObjectMeta()
    public var addressType = ""
    public var endpoints: [Endpoint] = []
    public var ports: [Port] = []

    public init() {}

    /// kube-state-metrics puts the name before the namespace for this kind.
    public var identityValues: [String] { [metadata.name, metadata.namespace] }

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        switch key {
        case "metadata": try reader.read(&metadata, context)
        case "addressType": try reader.read(&addressType)
        case "endpoints": try reader.read(&endpoints, context)
        case "ports": try reader.read(&ports, context)
        default: try reader.skipValue()
        }
    }

    public struct Endpoint: Sendable, Hashable, JSONObjectDecodable {
        public var addresses: [String] = []
        public var ready: Bool?
        public var serving: Bool?
        public var terminating: Bool?
        public var hostname: String?
        public var targetRef: TargetRef?
        public var nodeName: String?
        public var zone: String?
        public var forZones: [String] = []

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "addresses": try reader.read(&addresses)
            case "conditions":
                try reader.readObject { reader, key in
                    switch key {
                    case "ready": try reader.read(&ready)
                    case "serving": try reader.read(&serving)
                    case "terminating": try reader.read(&terminating)
                    default: try reader.skipValue()
                    }
                }
            case "hostname": try reader.read(&hostname)
            case "targetRef": try reader.read(&targetRef, context)
            case "nodeName": try reader.read(&nodeName)
            case "zone": try reader.read(&zone)
            case "hints":
                try reader.readObject { reader, key in
                    guard key == "forZones" else { return try reader.skipValue() }
                    try reader.readArray { reader in
                        var zone = ""
                        try reader.readObject { reader, key in
                            if key == "name" { try reader.read(&zone) } else { try reader.skipValue() }
                        }
                        forZones.append(zone)
                    }
                }
            default: try reader.skipValue()
            }
        }
    }

    public struct TargetRef: Sendable, Hashable, JSONObjectDecodable {
        public var kind = ""
        public var name = ""
        public var namespace = ""

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "kind": try reader.read(&kind)
            case "name": try reader.read(&name)
            case "namespace": try reader.read(&namespace)
            default: try reader.skipValue()
            }
        }
    }

    public struct Port: Sendable, Hashable, JSONObjectDecodable {
        public var name: String?
        public var `protocol`: String?
        public var port: Int64?

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "name": try reader.read(&name)
            case "protocol": try reader.read(&`protocol`)
            case "port": try reader.read(&port)
            default: try reader.skipValue()
            }
        }
    }
}
