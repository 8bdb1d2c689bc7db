import KubeWatch

/// The usual shape of an API object — `metadata`, `spec`, `status` — decoded once here
/// for every kind that has it; a kind with other top-level members (an EndpointSlice's
/// `endpoints`) writes its own `decodeMember`.
public protocol SpecAndStatusResource: KubeResource {
    associatedtype Spec: JSONObjectDecodable
    associatedtype Status: JSONObjectDecodable
    var metadata: ObjectMeta { get set }
    var spec: Spec { get set }
    var status: Status { get set }
}

extension SpecAndStatusResource {
    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        switch key {
        case "metadata": try reader.read(&metadata, context)
        case "spec": try reader.read(&spec, context)
        case "status": try reader.read(&status, context)
        default: try reader.skipValue()
        }
    }
}
