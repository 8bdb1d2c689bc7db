import KubeWatch

/// A v1 Node: the fields kube-state-metrics' node families read.
public struct Node: KubeResource, Hashable {
    public static let descriptor = ResourceDescriptor(name: "nodes", namespaced: false, identity: ["node"])

    /// Labels under it name the node's roles (`kube_node_role`), allow-listed or not.
    static let rolePrefix = "node-role.kubernetes.io/"

    public var metadata = ObjectMeta()
    /// What follows `rolePrefix` in each label that has it.
    public var roles: [String] = []
    public var spec = Spec()
    public var status = Status()

    public init() {}

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        switch key {
        case "metadata":
            try reader.readObject { reader, key in
                guard key == "labels" else { return try metadata.decodeMember(key, from: &reader, context: context) }
                try readLabels(from: &reader, keeping: context.labels)
            }
        case "spec": try reader.read(&spec, context)
        case "status": try reader.read(&status, context)
        default: try reader.skipValue()
        }
    }

    /// The allow-listed labels, as `ObjectMeta` keeps them, and the roles, in one pass.
    private mutating func readLabels(from reader: inout JSONReader, keeping allowlist: KeyAllowlist) throws {
        let prefix = Self.rolePrefix.utf8
        try reader.readObject { reader, key in
            let name = key.string
            let kept = allowlist.contains(name)
            let role = name.utf8.starts(with: prefix)
            guard kept || role else { return try reader.skipValue() }
            let value = try reader.readString() ?? ""
            if kept { metadata.labels.append(KeyValue(name, value)) }
            if role { roles.append(String(decoding: name.utf8.dropFirst(prefix.count), as: UTF8.self)) }
        }
        metadata.labels.sort { $0.key < $1.key }
    }

    public struct Spec: Sendable, Hashable, JSONObjectDecodable {
        public var podCIDR = ""
        public var podCIDRs: [String] = []
        public var providerID = ""
        public var unschedulable = false
        public var taints: [Taint] = []

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "podCIDR": try reader.read(&podCIDR)
            case "podCIDRs": try reader.read(&podCIDRs)
            case "providerID": try reader.read(&providerID)
            case "unschedulable": try reader.read(&unschedulable)
            case "taints": try reader.read(&taints, context)
            default: try reader.skipValue()
            }
        }
    }

    public struct Taint: Sendable, Hashable, JSONObjectDecodable {
        public var key = ""
        public var value = ""
        public var effect = ""

        public init() {}

        public mutating func decodeMember(_ name: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch name {
            case "key": try reader.read(&key)
            case "value": try reader.read(&value)
            case "effect": try reader.read(&effect)
            default: try reader.skipValue()
            }
        }
    }

    public struct Status: Sendable, Hashable, JSONObjectDecodable {
        public var capacity: [ResourceQuantity] = []
        public var allocatable: [ResourceQuantity] = []
        public var conditions: [Condition] = []
        public var addresses: [Address] = []
        public var nodeInfo = NodeInfo()

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "capacity": try reader.read(&capacity)
            case "allocatable": try reader.read(&allocatable)
            case "conditions": try reader.read(&conditions, context)
            case "addresses": try reader.read(&addresses, context)
            case "nodeInfo": try reader.read(&nodeInfo, context)
            default: try reader.skipValue()
            }
        }
    }

    public struct Address: Sendable, Hashable, JSONObjectDecodable {
        public var type = ""
        public var address = ""

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "type": try reader.read(&type)
            case "address": try reader.read(&address)
            default: try reader.skipValue()
            }
        }
    }

    public struct NodeInfo: Sendable, Hashable, JSONObjectDecodable {
        public var kernelVersion = ""
        public var osImage = ""
        public var containerRuntimeVersion = ""
        public var kubeletVersion = ""
        public var systemUUID = ""

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "kernelVersion": try reader.read(&kernelVersion)
            case "osImage": try reader.read(&osImage)
            case "containerRuntimeVersion": try reader.read(&containerRuntimeVersion)
            case "kubeletVersion": try reader.read(&kubeletVersion)
            case "systemUUID": try reader.read(&systemUUID)
            default: try reader.skipValue()
            }
        }
    }
}
