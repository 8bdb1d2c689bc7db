import KubeWatch

/// kube-state-metrics' persistentvolume families (internal/store/persistentvolume.go),
/// in its output order. Every sample starts with `persistentvolume`.
extension PersistentVolume {
    public static let families: [Family<PersistentVolume>] = [
        .info("kube_persistentvolume_claim_ref", "Information about the Persistent Volume Claim Reference.", .stable,
              labels: ["name", "claim_namespace"]) { volume in
            volume.spec.claimRef.map { [$0.name, $0.namespace] }
        },
        .annotations("kube_persistentvolume_annotations"),
        .labels("kube_persistentvolume_labels"),
        Family("kube_persistentvolume_status_phase", "The phase indicates if a volume is available, bound to a claim, or released by a claim.", .stable,
               labels: ["phase"]) { volume, out in
            KubeStateRules.stateSet(volume.status.phase, ["Pending", "Available", "Bound", "Released", "Failed"], into: &out)
        },
        .info("kube_persistentvolume_info", "Information about persistentvolume.", .stable, labels: infoLabels) { volume in
            info(volume.spec)
        },
        .gauge("kube_persistentvolume_capacity_bytes", "Persistentvolume capacity in bytes.", .stable) { volume in
            // A volume without one has the zero quantity.
            Double(volume.spec.capacity?.value ?? 0)
        },
        .created("kube_persistentvolume_created", "Unix creation timestamp", .alpha),
        .deletionTimestamp("kube_persistentvolume_deletion_timestamp"),
        Family(csiAttributesFamily, "CSI attributes of the Persistent Volume.", labels: ["csi_mounter", "csi_map_options"],
               optIn: true) { volume, out in
            if let csi = volume.spec.csi { out.add([csi.mounter, csi.mapOptions], 1) }
        },
        .info("kube_persistentvolume_volume_mode", "Volume Mode information for the PersistentVolume.", labels: ["volumemode"]) { volume in
            [volume.spec.volumeMode ?? "Filesystem"]
        },
        .accessModes("kube_persistentvolume_access_mode", "The access mode(s) specified by the persistent volume.", .alpha) {
            $0.spec.accessModes
        },
    ]

    static let infoLabels = [
        "storageclass", "gce_persistent_disk_name", "ebs_volume_id", "azure_disk_name", "fc_wwids", "fc_lun", "fc_target_wwns",
        "iscsi_target_portal", "iscsi_iqn", "iscsi_lun", "iscsi_initiator_name", "nfs_server", "nfs_path", "csi_driver",
        "csi_volume_handle", "local_path", "local_fs", "host_path", "host_path_type", "reclaim_policy",
    ]

    /// Every info label, empty unless the first source present (in kube-state-metrics'
    /// order) fills it.
    static func info(_ spec: Spec) -> [String] {
        var values = [String](repeating: "", count: infoLabels.count)
        values[0] = spec.storageClassName
        values[19] = spec.persistentVolumeReclaimPolicy
        if let source = spec.gcePersistentDisk {
            values[1] = source.pdName
        } else if let source = spec.awsElasticBlockStore {
            values[2] = source.volumeID
        } else if let source = spec.azureDisk {
            values[3] = source.diskName
        } else if let source = spec.fc {
            values[4] = joined(source.wwids)
            values[5] = source.lun.map { String($0) } ?? ""
            values[6] = joined(source.targetWWNs)
        } else if let source = spec.iscsi {
            values[7] = source.targetPortal
            values[8] = source.iqn
            values[9] = String(source.lun ?? 0)
            values[10] = source.initiatorName
        } else if let source = spec.nfs {
            values[11] = source.server
            values[12] = source.path
        } else if let source = spec.csi {
            values[13] = source.driver
            values[14] = source.volumeHandle
        } else if let source = spec.local {
            values[15] = source.path
            values[16] = source.fsType
        } else if let source = spec.hostPath {
            values[17] = source.path
            values[18] = source.type
        }
        return values
    }

    /// Comma-joined as kube-state-metrics joins: a separator only after a non-empty
    /// prefix, so leading empty entries leave no comma.
    private static func joined(_ entries: [String]) -> String {
        var text = ""
        for entry in entries {
            if !text.isEmpty { text += "," }
            text += entry
        }
        return text
    }
}
