import KubeWatch

/// An admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding: the fields
/// kube-state-metrics' validatingadmissionpolicybinding families read. Cluster-scoped,
/// yet its samples carry a `namespace` label (empty unless the object has one).
public struct ValidatingAdmissionPolicyBinding: AdmissionPolicyBinding, Hashable {
    public static let descriptor = ResourceDescriptor(
        name: "validatingadmissionpolicybindings", group: "admissionregistration.k8s.io", namespaced: false,
        identity: ["namespace", "validatingadmissionpolicybinding"])

    public var metadata = ObjectMeta()
    public var policyName = ""
    public var paramRef: AdmissionParamRef?
    public var validationActions: [String] = []

    public init() {}

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        switch key {
        case "metadata": try reader.read(&metadata, context)
        case "spec":
            try reader.readObject { reader, key in
                switch key {
                case "policyName": try reader.read(&policyName)
                case "paramRef": try reader.read(&paramRef, context)
                case "validationActions": try reader.read(&validationActions)
                default: try reader.skipValue()
                }
            }
        default: try reader.skipValue()
        }
    }
}
