import KubeWatch

/// A networking.k8s.io/v1 IngressClass: the fields kube-state-metrics' ingressclass
/// families read.
public struct IngressClass: KubeResource, Hashable {
    public static let descriptor = ResourceDescriptor(
        name: "ingressclasses", group: "networking.k8s.io", namespaced: false, identity: ["ingressclass"],
        enabledByDefault: false)

    public var metadata = ObjectMeta()
    /// `spec.controller`.
    public var controller = ""

    public init() {}

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        switch key {
        case "metadata": try reader.read(&metadata, context)
        case "spec":
            try reader.readObject { reader, key in
                if key == "controller" { try reader.read(&controller) } else { try reader.skipValue() }
            }
        default: try reader.skipValue()
        }
    }
}
