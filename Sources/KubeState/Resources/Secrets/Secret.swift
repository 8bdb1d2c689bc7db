import KubeWatch

/// A v1 Secret as Telegen reads it: never its data. The API serves secrets as a
/// server-side Table (`kubectl get secrets`' view) whose rows carry the type column and
/// the metadata of each secret; the full object is accepted too (the fields are the
/// same), but never asked for.
public struct Secret: KubeResource, Hashable {
    public static let descriptor = ResourceDescriptor(name: "secrets", identity: ["namespace", "secret"], view: .table)

    public var metadata = ObjectMeta()
    public var type = ""

    public init() {}

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        switch key {
        case "metadata": try reader.read(&metadata, context)
        case "type": try reader.read(&type)
        // A Table row: the object's metadata, and the cells in the columns' order.
        case "object": try reader.read(&self, context)
        case "cells":
            let column = context.tableColumns.firstIndex(of: "Type")
            var index = 0
            try reader.readArray { reader in
                if index == column { try reader.read(&type) } else { try reader.skipValue() }
                index += 1
            }
        default: try reader.skipValue()
        }
    }
}
