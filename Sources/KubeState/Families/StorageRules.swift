import KubeWatch
import TelemetryModel

/// Rules the persistentvolume and persistentvolumeclaim families share.
extension Family where Object: KubeResource {
    /// `*_access_mode`: one sample per access mode, in spec order.
    static func accessModes(_ name: String, _ help: String, _ stability: Stability,
                            _ modes: @escaping @Sendable (Object) -> [String]) -> Family {
        Family(name, help, stability, labels: ["access_mode"]) { object, out in
            for mode in modes(object) { out.add(mode, 1) }
        }
    }
}

extension JSONReader {
    /// The `storage` entry of a resource list (a claim's requests, a volume's
    /// capacity): the only one the families read.
    mutating func readStorage(_ value: inout Quantity?) throws {
        try readObject { reader, key in
            if key == "storage" { try reader.read(&value) } else { try reader.skipValue() }
        }
    }
}
