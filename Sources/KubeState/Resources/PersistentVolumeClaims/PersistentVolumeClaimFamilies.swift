import KubeWatch

/// kube-state-metrics' persistentvolumeclaim families (internal/store/persistentvolumeclaim.go),
/// in its output order. Every sample starts with `namespace, persistentvolumeclaim`.
extension PersistentVolumeClaim {
    public static let families: [Family<PersistentVolumeClaim>] = [
        .labels("kube_persistentvolumeclaim_labels"),
        .annotations("kube_persistentvolumeclaim_annotations"),
        .info("kube_persistentvolumeclaim_info", "Information about persistent volume claim.", .stable,
              labels: ["storageclass", "volumename", "volumemode"]) { claim in
            [claim.storageClass, claim.spec.volumeName, claim.spec.volumeMode]
        },
        Family("kube_persistentvolumeclaim_status_phase", "The phase the persistent volume claim is currently in.", .stable,
               labels: ["phase"]) { claim, out in
            KubeStateRules.stateSet(claim.status.phase, ["Lost", "Bound", "Pending"], into: &out)
        },
        .gauge("kube_persistentvolumeclaim_resource_requests_storage_bytes", "The capacity of storage requested by the persistent volume claim.", .stable) {
            $0.spec.storageRequest.map { $0.doubleValue }
        },
        .accessModes("kube_persistentvolumeclaim_access_mode", "The access mode(s) specified by the persistent volume claim.", .stable) {
            $0.spec.accessModes
        },
        Family("kube_persistentvolumeclaim_status_condition", "Information about status of different conditions of persistent volume claim.",
               labels: ["condition", "status"]) { claim, out in
            for condition in claim.status.conditions { KubeStateRules.condition(condition.status, after: [condition.type], into: &out) }
        },
        .created("kube_persistentvolumeclaim_created", "Unix creation timestamp", .alpha),
        .deletionTimestamp("kube_persistentvolumeclaim_deletion_timestamp"),
    ]
}
