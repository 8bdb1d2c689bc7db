import KubeWatch

/// An admissionregistration.k8s.io/v1 MutatingAdmissionPolicy: the fields
/// kube-state-metrics' mutatingadmissionpolicy families read. Cluster-scoped, yet its
/// samples carry a `namespace` label (empty unless the object has one).
public struct MutatingAdmissionPolicy: KubeResource, Hashable {
    public static let descriptor = ResourceDescriptor(
        name: "mutatingadmissionpolicies", group: "admissionregistration.k8s.io", namespaced: false,
        identity: ["namespace", "mutatingadmissionpolicy"])

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
        public var reinvocationPolicy = ""

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "paramKind": try reader.read(&paramKind, context)
            case "failurePolicy": try reader.read(&failurePolicy)
            case "reinvocationPolicy": try reader.read(&reinvocationPolicy)
            default: try reader.skipValue()
            }
        }
    }
}
