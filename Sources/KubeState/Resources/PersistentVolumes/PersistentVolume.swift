import KubeWatch

/// A v1 PersistentVolume: the fields kube-state-metrics' volume families read.
public struct PersistentVolume: SpecAndStatusResource, Hashable {
    public static let descriptor = ResourceDescriptor(name: "persistentvolumes", namespaced: false, identity: ["persistentvolume"])

    static let csiAttributesFamily = "kube_persistentvolume_csi_attributes"

    public var metadata = ObjectMeta()
    public var spec = Spec()
    public var status = Status()

    public init() {}

    public struct Spec: Sendable, Hashable, JSONObjectDecodable {
        public var claimRef: ClaimRef?
        public var capacity: Quantity?
        public var storageClassName = ""
        public var persistentVolumeReclaimPolicy = ""
        public var volumeMode: String?
        public var accessModes: [String] = []
        // Each source the info family knows, kept apart: it reads the first present
        // in its own order, not the JSON's.
        public var gcePersistentDisk: Source?
        public var awsElasticBlockStore: Source?
        public var azureDisk: Source?
        public var fc: Source?
        public var iscsi: Source?
        public var nfs: Source?
        public var csi: Source?
        public var local: Source?
        public var hostPath: Source?

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "claimRef": try reader.read(&claimRef, context)
            case "capacity": try reader.readStorage(&capacity)
            case "storageClassName": try reader.read(&storageClassName)
            case "persistentVolumeReclaimPolicy": try reader.read(&persistentVolumeReclaimPolicy)
            case "volumeMode": try reader.read(&volumeMode)
            case "accessModes": try reader.read(&accessModes)
            case "gcePersistentDisk": try reader.read(&gcePersistentDisk, context)
            case "awsElasticBlockStore": try reader.read(&awsElasticBlockStore, context)
            case "azureDisk": try reader.read(&azureDisk, context)
            case "fc": try reader.read(&fc, context)
            case "iscsi": try reader.read(&iscsi, context)
            case "nfs": try reader.read(&nfs, context)
            case "csi": try reader.read(&csi, context)
            case "local": try reader.read(&local, context)
            case "hostPath": try reader.read(&hostPath, context)
            default: try reader.skipValue()
            }
        }
    }

    public struct ClaimRef: Sendable, Hashable, JSONObjectDecodable {
        public var name = ""
        public var namespace = ""

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "name": try reader.read(&name)
            case "namespace": try reader.read(&namespace)
            default: try reader.skipValue()
            }
        }
    }

    /// The fields kube-state-metrics reads of every kind of volume source, in one
    /// type: each source sets only its own. Optional strings of the API (`fsType`,
    /// `initiatorName`, `type`) print the same nil or empty, so are plain here.
    public struct Source: Sendable, Hashable, JSONObjectDecodable {
        public var pdName = ""
        public var volumeID = ""
        public var diskName = ""
        public var wwids: [String] = []
        public var targetWWNs: [String] = []
        /// A pointer for fibre channel, a plain number (0 when unset) for iSCSI.
        public var lun: Int64?
        public var targetPortal = ""
        public var iqn = ""
        public var initiatorName = ""
        public var server = ""
        public var path = ""
        public var driver = ""
        public var volumeHandle = ""
        /// CSI `volumeAttributes`, read only when `kube_persistentvolume_csi_attributes` is opted in.
        public var mounter = ""
        public var mapOptions = ""
        public var fsType = ""
        public var type = ""

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "pdName": try reader.read(&pdName)
            case "volumeID": try reader.read(&volumeID)
            case "diskName": try reader.read(&diskName)
            case "wwids": try reader.read(&wwids)
            case "targetWWNs": try reader.read(&targetWWNs)
            case "lun": try reader.read(&lun)
            case "targetPortal": try reader.read(&targetPortal)
            case "iqn": try reader.read(&iqn)
            case "initiatorName": try reader.read(&initiatorName)
            case "server": try reader.read(&server)
            case "path": try reader.read(&path)
            case "driver": try reader.read(&driver)
            case "volumeHandle": try reader.read(&volumeHandle)
            case "volumeAttributes":
                guard context.optIn.contains(PersistentVolume.csiAttributesFamily) else { return try reader.skipValue() }
                try reader.readObject { reader, key in
                    switch key {
                    case "mounter": try reader.read(&mounter)
                    case "mapOptions": try reader.read(&mapOptions)
                    default: try reader.skipValue()
                    }
                }
            case "fsType": try reader.read(&fsType)
            case "type": try reader.read(&type)
            default: try reader.skipValue()
            }
        }
    }

    public struct Status: Sendable, Hashable, JSONObjectDecodable {
        public var phase = ""

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            if key == "phase" { try reader.read(&phase) } else { try reader.skipValue() }
        }
    }
}
