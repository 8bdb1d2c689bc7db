import KubeWatch
import TelemetryModel

/// A policy's `spec.paramKind` (mutating and validating admission policies).
public struct AdmissionParamKind: Sendable, Hashable, JSONObjectDecodable {
    public var apiVersion = ""
    public var kind = ""

    public init() {}

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        switch key {
        case "apiVersion": try reader.read(&apiVersion)
        case "kind": try reader.read(&kind)
        default: try reader.skipValue()
        }
    }
}

/// A binding's `spec.paramRef` (mutating and validating admission policy bindings).
public struct AdmissionParamRef: Sendable, Hashable, JSONObjectDecodable {
    public var name = ""
    public var namespace = ""
    public var parameterNotFoundAction: String?

    public init() {}

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        switch key {
        case "name": try reader.read(&name)
        case "namespace": try reader.read(&namespace)
        case "parameterNotFoundAction": try reader.read(&parameterNotFoundAction)
        default: try reader.skipValue()
        }
    }
}

/// What both kinds of admission policy binding share for their info family.
public protocol AdmissionPolicyBinding: KubeResource {
    var policyName: String { get }
    var paramRef: AdmissionParamRef? { get }
}

extension Family where Object: AdmissionPolicyBinding {
    /// `*_info`: the bound policy and the parameter reference; without a paramRef its
    /// three labels are empty.
    static func admissionPolicyBindingInfo(_ name: String, _ help: String) -> Family {
        .info(name, help, labels: ["policy_name", "param_name", "param_namespace", "param_not_found_action"]) { binding in
            let ref = binding.paramRef
            return [binding.policyName, ref?.name ?? "", ref?.namespace ?? "", ref?.parameterNotFoundAction ?? ""]
        }
    }
}
