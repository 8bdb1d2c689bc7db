import KubeWatch

/// A v1 PersistentVolumeClaim: the fields kube-state-metrics' claim families read.
public struct PersistentVolumeClaim: SpecAndStatusResource, Hashable {
    public static let descriptor = ResourceDescriptor(
        name: "persistentvolumeclaims", identity: ["namespace", "persistentvolumeclaim"],
        capturedAnnotations: [betaStorageClassAnnotation])

    /// The storage class as claims named it before `spec.storageClassName`;
    /// kube-state-metrics still prefers it, whatever the annotation allowlist.
    static let betaStorageClassAnnotation = "volume.beta.kubernetes.io/storage-class"

    public var metadata = ObjectMeta()
    public var spec = Spec()
    public var status = Status()

    public init() {}

    /// The beta annotation when present (even empty), else the spec's class.
    public var storageClass: String {
        metadata.capturedAnnotations[Self.betaStorageClassAnnotation] ?? spec.storageClassName
    }

    public struct Spec: Sendable, Hashable, JSONObjectDecodable {
        public var accessModes: [String] = []
        public var storageRequest: Quantity?
        public var volumeName = ""
        public var storageClassName = ""
        public var volumeMode = ""

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "accessModes": try reader.read(&accessModes)
            case "resources":
                try reader.readObject { reader, key in
                    if key == "requests" { try reader.readStorage(&storageRequest) } else { try reader.skipValue() }
                }
            case "volumeName": try reader.read(&volumeName)
            case "storageClassName": try reader.read(&storageClassName)
            case "volumeMode": try reader.read(&volumeMode)
            default: try reader.skipValue()
            }
        }
    }

    public struct Status: Sendable, Hashable, JSONObjectDecodable {
        public var phase = ""
        public var conditions: [Condition] = []

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "phase": try reader.read(&phase)
            case "conditions": try reader.read(&conditions, context)
            default: try reader.skipValue()
            }
        }
    }
}
