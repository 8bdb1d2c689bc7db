import KubeWatch

/// An admissionregistration.k8s.io/v1 MutatingAdmissionPolicyBinding: the fields
/// kube-state-metrics' mutatingadmissionpolicybinding families read. Cluster-scoped,
/// yet its samples carry a `namespace` label (empty unless the object has one).
public struct MutatingAdmissionPolicyBinding: AdmissionPolicyBinding, Hashable {
    public static let descriptor = ResourceDescriptor(
        name: "mutatingadmissionpolicybindings", group: "admissionregistration.k8s.io", namespaced: false,
        identity: ["namespace", "mutatingadmissionpolicybinding"])

    public var metadata = ObjectMeta()
    public var policyName = ""
    public var paramRef: AdmissionParamRef?

    public init() {}

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        switch key {
        case "metadata": try reader.read(&metadata, context)
        case "spec":
            try reader.readObject { reader, key in
                switch key {
                case "policyName": try reader.read(&policyName)
                case "paramRef": try reader.read(&paramRef, context)
                default: try reader.skipValue()
                }
            }
        default: try reader.skipValue()
        }
    }
}
