import KubeWatch

/// An autoscaling/v2 HorizontalPodAutoscaler: the fields kube-state-metrics'
/// autoscaler families read.
public struct HorizontalPodAutoscaler: SpecAndStatusResource, Hashable {
    public static let descriptor = ResourceDescriptor(name: "horizontalpodautoscalers", group: "autoscaling", version: "v2",
                                                      identity: ["namespace", "horizontalpodautoscaler"])

    public var metadata = ObjectMeta()
    public var spec = Spec()
    public var status = Status()

    public init() {}

    public struct Spec: Sendable, Hashable, JSONObjectDecodable {
        public var targetAPIVersion = ""
        public var targetKind = ""
        public var targetName = ""
        public var minReplicas: Int64?
        public var maxReplicas: Int64 = 0
        public var metrics: [Metric] = []
        public var scaleUpTolerance: Quantity?
        public var scaleDownTolerance: Quantity?

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "scaleTargetRef":
                try reader.readObject { reader, key in
                    switch key {
                    case "apiVersion": try reader.read(&targetAPIVersion)
                    case "kind": try reader.read(&targetKind)
                    case "name": try reader.read(&targetName)
                    default: try reader.skipValue()
                    }
                }
            case "minReplicas": try reader.read(&minReplicas)
            case "maxReplicas": try reader.read(&maxReplicas)
            case "metrics": try reader.read(&metrics, context)
            case "behavior":
                try reader.readObject { reader, key in
                    switch key {
                    case "scaleUp": try Self.readTolerance(&scaleUpTolerance, from: &reader)
                    case "scaleDown": try Self.readTolerance(&scaleDownTolerance, from: &reader)
                    default: try reader.skipValue()
                    }
                }
            default: try reader.skipValue()
            }
        }

        private static func readTolerance(_ tolerance: inout Quantity?, from reader: inout JSONReader) throws {
            try reader.readObject { reader, key in
                if key == "tolerance" { try reader.read(&tolerance) } else { try reader.skipValue() }
            }
        }
    }

    public struct Status: Sendable, Hashable, JSONObjectDecodable {
        public var currentReplicas: Int64 = 0
        public var desiredReplicas: Int64 = 0
        public var currentMetrics: [Metric] = []
        public var conditions: [Condition] = []

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "currentReplicas": try reader.read(&currentReplicas)
            case "desiredReplicas": try reader.read(&desiredReplicas)
            case "currentMetrics": try reader.read(&currentMetrics, context)
            case "conditions": try reader.read(&conditions, context)
            default: try reader.skipValue()
            }
        }
    }

    /// An entry of `spec.metrics` or `status.currentMetrics`: its type and the
    /// source of each kind that is present.
    public struct Metric: Sendable, Hashable, JSONObjectDecodable {
        public var type = ""
        public var object: Source?
        public var pods: Source?
        public var resource: Source?
        public var containerResource: Source?
        public var external: Source?

        public init() {}

        /// The source the type names, with the name the families give it; nil for an
        /// unknown type or a missing source.
        public var selected: (name: String, source: Source)? {
            switch type {
            case "Object": object.map { (name: $0.metricName, source: $0) }
            case "Pods": pods.map { (name: $0.metricName, source: $0) }
            case "Resource": resource.map { (name: $0.name, source: $0) }
            case "ContainerResource": containerResource.map { (name: $0.name, source: $0) }
            case "External": external.map { (name: $0.metricName, source: $0) }
            default: nil
            }
        }

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "type": try reader.read(&type)
            case "object": try reader.read(&object, context)
            case "pods": try reader.read(&pods, context)
            case "resource": try reader.read(&resource, context)
            case "containerResource": try reader.read(&containerResource, context)
            case "external": try reader.read(&external, context)
            default: try reader.skipValue()
            }
        }
    }

    /// One metric source: its metric's name (object, pods, external) or resource name
    /// (resource, containerResource), and the spec's `target` or the status's `current`.
    public struct Source: Sendable, Hashable, JSONObjectDecodable {
        public var metricName = ""
        public var name = ""
        public var container = ""
        public var value: Quantity?
        public var averageValue: Quantity?
        public var averageUtilization: Int64?

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "metric":
                try reader.readObject { reader, key in
                    if key == "name" { try reader.read(&metricName) } else { try reader.skipValue() }
                }
            case "name": try reader.read(&name)
            case "container": try reader.read(&container)
            case "target", "current":
                try reader.readObject { reader, key in
                    switch key {
                    case "value": try reader.read(&value)
                    case "averageValue": try reader.read(&averageValue)
                    case "averageUtilization": try reader.read(&averageUtilization)
                    default: try reader.skipValue()
                    }
                }
            default: try reader.skipValue()
            }
        }
    }
}
