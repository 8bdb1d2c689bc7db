import KubeWatch

/// kube-state-metrics' storageclass families (internal/store/storageclass.go), in its
/// output order. Every sample starts with `storageclass`.
extension StorageClass {
    public static let families: [Family<StorageClass>] = [
        // Unset policies are written as the API's defaults.
        .info("kube_storageclass_info", "Information about storageclass.", .stable,
              labels: ["provisioner", "reclaim_policy", "volume_binding_mode"]) { storageClass in
            [storageClass.provisioner, storageClass.reclaimPolicy ?? "Delete", storageClass.volumeBindingMode ?? "Immediate"]
        },
        .created("kube_storageclass_created"),
        .annotations("kube_storageclass_annotations"),
        .labels("kube_storageclass_labels"),
    ]
}
