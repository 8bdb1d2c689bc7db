/// A `coordination.k8s.io/v1` Lease as leader election reads and writes it.
///
/// A PUT replaces the whole object, so what is read is written back: every label and
/// annotation, and the coordinated-election fields (`strategy`, `preferredHolder`)
/// this agent does not use but must not erase. Times are written as the API writes
/// them, for humans and kube-state-metrics' `kube_lease_renew_time`; the election
/// itself never compares them with a clock (see `LeaderElector`).
public struct LeaseRecord: Sendable, Equatable {
    public var name = ""
    public var namespace = ""
    public var uid = ""
    /// The version an update must name; changes with every write.
    public var resourceVersion = ""
    public var labels: [KeyValue] = []
    public var annotations: [KeyValue] = []
    /// Empty: nobody holds the Lease (released), anyone may take it at once.
    public var holderIdentity = ""
    public var leaseDurationSeconds: Int64 = 0
    public var acquireTime: MicroTime?
    public var renewTime: MicroTime?
    public var leaseTransitions: Int64 = 0
    public var strategy: String?
    public var preferredHolder: String?

    public init(name: String = "", namespace: String = "") {
        self.name = name
        self.namespace = namespace
    }

    /// The value of one annotation.
    public func annotation(_ key: String) -> String? { annotations[key] }

    /// Sets (or, with nil, removes) one annotation, keeping key order.
    public mutating func setAnnotation(_ key: String, _ value: String?) {
        annotations.removeAll { $0.key == key }
        if let value {
            annotations.append(KeyValue(key, value))
            annotations.sort { $0.key < $1.key }
        }
    }

    /// The body of a create (no resourceVersion or uid) or an update (both).
    public var json: String {
        var metadata = ["\"name\":\(JSONText.quoted(name))", "\"namespace\":\(JSONText.quoted(namespace))"]
        if !uid.isEmpty { metadata.append("\"uid\":\(JSONText.quoted(uid))") }
        if !resourceVersion.isEmpty { metadata.append("\"resourceVersion\":\(JSONText.quoted(resourceVersion))") }
        if !labels.isEmpty { metadata.append("\"labels\":\(JSONText.object(labels))") }
        if !annotations.isEmpty { metadata.append("\"annotations\":\(JSONText.object(annotations))") }
        var spec = ["\"holderIdentity\":\(JSONText.quoted(holderIdentity))", "\"leaseDurationSeconds\":\(leaseDurationSeconds)"]
        if let acquireTime { spec.append("\"acquireTime\":\(JSONText.quoted(acquireTime.text))") }
        if let renewTime { spec.append("\"renewTime\":\(JSONText.quoted(renewTime.text))") }
        spec.append("\"leaseTransitions\":\(leaseTransitions)")
        if let strategy, !strategy.isEmpty { spec.append("\"strategy\":\(JSONText.quoted(strategy))") }
        if let preferredHolder, !preferredHolder.isEmpty { spec.append("\"preferredHolder\":\(JSONText.quoted(preferredHolder))") }
        return "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{\(metadata.joined(separator: ","))},"
            + "\"spec\":{\(spec.joined(separator: ","))}}"
    }
}

extension LeaseRecord: JSONObjectDecodable {
    public init() {}

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        switch key {
        case "metadata":
            try reader.readObject { reader, key in
                switch key {
                case "name": try reader.read(&name)
                case "namespace": try reader.read(&namespace)
                case "uid": try reader.read(&uid)
                case "resourceVersion": try reader.read(&resourceVersion)
                case "labels": try reader.read(&labels, keeping: .all)
                case "annotations": try reader.read(&annotations, keeping: .all)
                default: try reader.skipValue()
                }
            }
        case "spec":
            try reader.readObject { reader, key in
                switch key {
                case "holderIdentity": try reader.read(&holderIdentity)
                case "leaseDurationSeconds": try reader.read(&leaseDurationSeconds)
                case "acquireTime": try reader.read(&acquireTime)
                case "renewTime": try reader.read(&renewTime)
                case "leaseTransitions": try reader.read(&leaseTransitions)
                case "strategy": try reader.read(&strategy)
                case "preferredHolder": try reader.read(&preferredHolder)
                default: try reader.skipValue()
                }
            }
        default:
            try reader.skipValue()
        }
    }
}
