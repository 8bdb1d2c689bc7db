import KubeWatch

/// kube-state-metrics' statefulset families (internal/store/statefulset.go), in its
/// output order. Every sample starts with `namespace, statefulset`. Unlike most kinds,
/// its annotations and deletion-timestamp families are stable.
extension StatefulSet {
    public static let families: [Family<StatefulSet>] = [
        .created("kube_statefulset_created"),
        .gauge("kube_statefulset_status_replicas", "The number of replicas per StatefulSet.", .stable) { Double($0.status.replicas) },
        .gauge("kube_statefulset_status_replicas_available", "The number of available replicas per StatefulSet.", .stable) {
            Double($0.status.availableReplicas)
        },
        .gauge("kube_statefulset_status_replicas_current", "The number of current replicas per StatefulSet.", .stable) {
            Double($0.status.currentReplicas)
        },
        .gauge("kube_statefulset_status_replicas_ready", "The number of ready replicas per StatefulSet.", .stable) {
            Double($0.status.readyReplicas)
        },
        .gauge("kube_statefulset_status_replicas_updated", "The number of updated replicas per StatefulSet.", .stable) {
            Double($0.status.updatedReplicas)
        },
        .gauge("kube_statefulset_status_observed_generation", "The generation observed by the StatefulSet controller.", .stable) {
            Double($0.status.observedGeneration)
        },
        .gauge("kube_statefulset_replicas", "Number of desired pods for a StatefulSet.", .stable) { $0.spec.replicas.map(Double.init) },
        .gauge("kube_statefulset_ordinals_start", "Start ordinal of the StatefulSet.", .stable) { $0.spec.ordinalsStart.map(Double.init) },
        .generation("kube_statefulset_metadata_generation",
                    "Sequence number representing a specific generation of the desired state for the StatefulSet."),
        // A policy with neither field set writes nothing, as an absent one.
        .info("kube_statefulset_persistentvolumeclaim_retention_policy", "Count of retention policy for StatefulSet template PVCs", .stable,
              labels: ["when_deleted", "when_scaled"]) { statefulSet in
            guard let policy = statefulSet.spec.retentionPolicy, !policy.whenDeleted.isEmpty || !policy.whenScaled.isEmpty else { return nil }
            return [policy.whenDeleted, policy.whenScaled]
        },
        .annotations("kube_statefulset_annotations", "Kubernetes annotations converted to Prometheus labels.", .stable),
        .labels("kube_statefulset_labels"),
        .info("kube_statefulset_status_current_revision",
              "Indicates the version of the StatefulSet used to generate Pods in the sequence [0,currentReplicas).", .stable,
              labels: ["revision"]) { [$0.status.currentRevision] },
        .info("kube_statefulset_status_update_revision",
              "Indicates the version of the StatefulSet used to generate Pods in the sequence [replicas-updatedReplicas,replicas)", .stable,
              labels: ["revision"]) { [$0.status.updateRevision] },
        .deletionTimestamp("kube_statefulset_deletion_timestamp", "Unix deletion timestamp", .stable),
    ]
}
