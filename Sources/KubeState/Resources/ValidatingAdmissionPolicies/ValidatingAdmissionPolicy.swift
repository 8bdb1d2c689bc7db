import KubeWatch

/// An admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy: the fields
/// kube-state-metrics' validatingadmissionpolicy families read. Cluster-scoped, yet
/// its samples carry a `namespace` label (empty unless the object has one).
public struct ValidatingAdmissionPolicy: KubeResource, Hashable {
    public static let descriptor = ResourceDescriptor(
        name: "validatingadmissionpolicies", group: "admissionregistration.k8s.io", namespaced: false,
        identity: ["namespace", "validatingadmissionpolicy"])

    public var metadata = ObjectMeta()
    public var spec = Spec()

    public init() {}

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        switch key {
        case "metadata": try reader.read(&metadata, context)
        case "spec": try reader.read(&spec, context)
        default: try reader.skipValue()
        }
    }

    public struct Spec: Sendable, Hashable, JSONObjectDecodable {
        public var paramKind: AdmissionParamKind?
        public var failurePolicy: String?

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "paramKind": try reader.read(&paramKind, context)
            case "failurePolicy": try reader.read(&failurePolicy)
            default: try reader.skipValue()
            }
        }
    }
}
