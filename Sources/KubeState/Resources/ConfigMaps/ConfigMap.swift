import KubeWatch

/// A v1 ConfigMap, of which the families read only the metadata: the API is asked for
/// `PartialObjectMetadata`, so a configmap's data never reaches this agent, and a full
/// object's `data` is skipped unparsed.
public struct ConfigMap: KubeResource, Hashable {
    public static let descriptor = ResourceDescriptor(name: "configmaps", identity: ["namespace", "configmap"], view: .metadata)

    public var metadata = ObjectMeta()

    public init() {}

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        if key == "metadata" { try reader.read(&metadata, context) } else { try reader.skipValue() }
    }
}
