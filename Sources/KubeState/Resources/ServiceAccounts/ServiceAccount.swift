import KubeWatch

/// A v1 ServiceAccount: the fields kube-state-metrics' serviceaccount families read.
public struct ServiceAccount: KubeResource, Hashable {
    public static let descriptor = ResourceDescriptor(
        name: "serviceaccounts", identity: ["namespace", "serviceaccount", "uid"], enabledByDefault: false)

    public var metadata = ObjectMeta()
    /// Go's `*bool`: unset is neither true nor false.
    public var automountServiceAccountToken: Bool?
    /// The names of `secrets` and `imagePullSecrets`, in the object's order.
    public var secrets: [String] = []
    public var imagePullSecrets: [String] = []

    public init() {}

    public var identityValues: [String] { [metadata.namespace, metadata.name, metadata.uid] }

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        switch key {
        case "metadata": try reader.read(&metadata, context)
        case "automountServiceAccountToken": try reader.read(&automountServiceAccountToken)
        case "secrets": try Self.readNames(&secrets, from: &reader)
        case "imagePullSecrets": try Self.readNames(&imagePullSecrets, from: &reader)
        default: try reader.skipValue()
        }
    }

    /// The `name` of each reference; one without a name counts as "", as Go's zero value.
    private static func readNames(_ names: inout [String], from reader: inout JSONReader) throws {
        try reader.readArray { reader in
            var name = ""
            try reader.readObject { reader, key in
                if key == "name" { try reader.read(&name) } else { try reader.skipValue() }
            }
            names.append(name)
        }
    }
}
