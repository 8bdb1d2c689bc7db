import KubeWatch

/// A networking.k8s.io/v1 Ingress: the fields kube-state-metrics' ingress families read.
public struct Ingress: KubeResource, Hashable {
    public static let descriptor = ResourceDescriptor(
        name: "ingresses", group: "networking.k8s.io", identity: ["namespace", "ingress"],
        capturedAnnotations: [classAnnotation])

    /// The class as ingresses named it before `spec.ingressClassName`; it still wins
    /// over the spec, whatever the annotation allowlist.
    static let classAnnotation = "kubernetes.io/ingress.class"

    public var metadata = ObjectMeta()
    public var spec = Spec()

    public init() {}

    /// The annotation, else the spec's class, else `_default`.
    public var ingressClass: String {
        metadata.capturedAnnotations[Self.classAnnotation] ?? spec.ingressClassName ?? "_default"
    }

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        switch key {
        case "metadata": try reader.read(&metadata, context)
        case "spec": try reader.read(&spec, context)
        default: try reader.skipValue()
        }
    }

    public struct Spec: Sendable, Hashable, JSONObjectDecodable {
        public var ingressClassName: String?
        public var rules: [Rule] = []
        public var tls: [TLS] = []

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "ingressClassName": try reader.read(&ingressClassName)
            case "rules": try reader.read(&rules, context)
            case "tls": try reader.read(&tls, context)
            default: try reader.skipValue()
            }
        }
    }

    public struct Rule: Sendable, Hashable, JSONObjectDecodable {
        public var host = ""
        /// `http.paths`; a rule without `http` has none.
        public var paths: [Path] = []

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "host": try reader.read(&host)
            case "http":
                try reader.readObject { reader, key in
                    if key == "paths" { try reader.read(&paths, context) } else { try reader.skipValue() }
                }
            default: try reader.skipValue()
            }
        }
    }

    public struct Path: Sendable, Hashable, JSONObjectDecodable {
        public var path = ""
        public var pathType = ""
        /// `backend.service`; without it, the path's backend is `resource`.
        public var service: ServiceBackend?
        public var resource = ResourceBackend()

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "path": try reader.read(&path)
            case "pathType": try reader.read(&pathType)
            case "backend":
                try reader.readObject { reader, key in
                    switch key {
                    case "service": try reader.read(&service, context)
                    case "resource": try reader.read(&resource, context)
                    default: try reader.skipValue()
                    }
                }
            default: try reader.skipValue()
            }
        }
    }

    public struct ServiceBackend: Sendable, Hashable, JSONObjectDecodable {
        public var name = ""
        /// `port.number`; a port given by name reads 0.
        public var port: Int64 = 0

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "name": try reader.read(&name)
            case "port":
                try reader.readObject { reader, key in
                    if key == "number" { try reader.read(&port) } else { try reader.skipValue() }
                }
            default: try reader.skipValue()
            }
        }
    }

    public struct ResourceBackend: Sendable, Hashable, JSONObjectDecodable {
        public var apiGroup = ""
        public var kind = ""
        public var name = ""

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "apiGroup": try reader.read(&apiGroup)
            case "kind": try reader.read(&kind)
            case "name": try reader.read(&name)
            default: try reader.skipValue()
            }
        }
    }

    public struct TLS: Sendable, Hashable, JSONObjectDecodable {
        public var hosts: [String] = []
        public var secretName = ""

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "hosts": try reader.read(&hosts)
            case "secretName": try reader.read(&secretName)
            default: try reader.skipValue()
            }
        }
    }
}
