import KubeWatch

/// A storage.k8s.io/v1 StorageClass: the fields kube-state-metrics' storageclass
/// families read. Its fields sit at the top level; the policies are Go pointers, nil
/// when unset.
public struct StorageClass: KubeResource, Hashable {
    public static let descriptor = ResourceDescriptor(name: "storageclasses", group: "storage.k8s.io", namespaced: false,
                                                      identity: ["storageclass"])

    public var metadata = ObjectMeta()
    public var provisioner = ""
    public var reclaimPolicy: String?
    public var volumeBindingMode: String?

    public init() {}

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        switch key {
        case "metadata": try reader.read(&metadata, context)
        case "provisioner": try reader.read(&provisioner)
        case "reclaimPolicy": try reader.read(&reclaimPolicy)
        case "volumeBindingMode": try reader.read(&volumeBindingMode)
        default: try reader.skipValue()
        }
    }
}
