import KubeWatch

/// A storage.k8s.io/v1 VolumeAttachment: the fields kube-state-metrics'
/// volumeattachment families read.
public struct VolumeAttachment: KubeResource, Hashable {
    public static let descriptor = ResourceDescriptor(name: "volumeattachments", group: "storage.k8s.io", namespaced: false,
                                                      identity: ["volumeattachment"])

    public var metadata = ObjectMeta()
    public var attacher = ""
    public var nodeName = ""
    public var persistentVolumeName: String?
    public var attached = false
    public var attachmentMetadata: [KeyValue] = []

    public init() {}

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        switch key {
        case "metadata":
            // kube-state-metrics writes every label of this kind, whatever the allowlist
            // says, and no annotations.
            let metadataContext = DecodingContext(labels: .all, annotations: .none, capturedAnnotations: context.capturedAnnotations,
                                                  capturedLabels: context.capturedLabels, optIn: context.optIn)
            try reader.read(&metadata, metadataContext)
        case "spec":
            try reader.readObject { reader, key in
                switch key {
                case "attacher": try reader.read(&attacher)
                case "nodeName": try reader.read(&nodeName)
                case "source":
                    try reader.readObject { reader, key in
                        if key == "persistentVolumeName" { try reader.read(&persistentVolumeName) } else { try reader.skipValue() }
                    }
                default: try reader.skipValue()
                }
            }
        case "status":
            try reader.readObject { reader, key in
                switch key {
                case "attached": try reader.read(&attached)
                case "attachmentMetadata": try reader.read(&attachmentMetadata, keeping: .all)
                default: try reader.skipValue()
                }
            }
        default: try reader.skipValue()
        }
    }
}
