import KubeWatch

/// An admissionregistration.k8s.io/v1 MutatingWebhookConfiguration: the fields
/// kube-state-metrics' mutatingwebhookconfiguration families read. Cluster-scoped, yet
/// its samples carry a `namespace` label (empty unless the object has one).
public struct MutatingWebhookConfiguration: AdmissionWebhookConfiguration, Hashable {
    public static let descriptor = ResourceDescriptor(
        name: "mutatingwebhookconfigurations", group: "admissionregistration.k8s.io", namespaced: false,
        identity: ["namespace", "mutatingwebhookconfiguration"])

    public var metadata = ObjectMeta()
    public var webhooks: [AdmissionWebhook] = []

    public init() {}

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        switch key {
        case "metadata": try reader.read(&metadata, context)
        case "webhooks": try reader.read(&webhooks, context)
        default: try reader.skipValue()
        }
    }
}
