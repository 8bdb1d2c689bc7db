import KubeWatch

/// A v1 Service: the fields kube-state-metrics' service families read. Named apart
/// from ServiceLifecycle's `Service`, which the agent imports alongside.
public struct KubeService: KubeResource, Hashable {
    public static let descriptor = ResourceDescriptor(name: "services", identity: ["namespace", "service", "uid"])

    public var metadata = ObjectMeta()
    public var spec = Spec()
    /// `status.loadBalancer.ingress`.
    public var ingress: [Ingress] = []

    public init() {}

    public var identityValues: [String] { [metadata.namespace, metadata.name, metadata.uid] }

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        switch key {
        case "metadata": try reader.read(&metadata, context)
        case "spec": try reader.read(&spec, context)
        case "status":
            try reader.readObject { reader, key in
                guard key == "loadBalancer" else { return try reader.skipValue() }
                try reader.readObject { reader, key in
                    if key == "ingress" { try reader.read(&ingress, context) } else { try reader.skipValue() }
                }
            }
        default: try reader.skipValue()
        }
    }

    public struct Spec: Sendable, Hashable, JSONObjectDecodable {
        public var type = ""
        public var clusterIP = ""
        public var externalName = ""
        public var loadBalancerIP = ""
        public var externalTrafficPolicy = ""
        public var externalIPs: [String] = []

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "type": try reader.read(&type)
            case "clusterIP": try reader.read(&clusterIP)
            case "externalName": try reader.read(&externalName)
            case "loadBalancerIP": try reader.read(&loadBalancerIP)
            case "externalTrafficPolicy": try reader.read(&externalTrafficPolicy)
            case "externalIPs": try reader.read(&externalIPs)
            default: try reader.skipValue()
            }
        }
    }

    public struct Ingress: Sendable, Hashable, JSONObjectDecodable {
        public var ip = ""
        public var hostname = ""

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "ip": try reader.read(&ip)
            case "hostname": try reader.read(&hostname)
            default: try reader.skipValue()
            }
        }
    }
}
