import KubeWatch

/// kube-state-metrics' replicaset families (internal/store/replicaset.go), in its
/// output order. Every sample starts with `namespace, replicaset`.
extension ReplicaSet {
    public static let families: [Family<ReplicaSet>] = [
        .created("kube_replicaset_created"),
        .gauge("kube_replicaset_status_replicas", "The number of replicas per ReplicaSet.", .stable) { Double($0.status.replicas) },
        .gauge("kube_replicaset_status_fully_labeled_replicas", "The number of fully labeled replicas per ReplicaSet.", .stable) {
            Double($0.status.fullyLabeledReplicas)
        },
        .gauge("kube_replicaset_status_ready_replicas", "The number of ready replicas per ReplicaSet.", .stable) {
            Double($0.status.readyReplicas)
        },
        .gauge("kube_replicaset_status_terminating_replicas", "The number of terminating replicas per ReplicaSet.") {
            $0.status.terminatingReplicas.map(Double.init)
        },
        .gauge("kube_replicaset_status_observed_generation", "The generation observed by the ReplicaSet controller.", .stable) {
            Double($0.status.observedGeneration)
        },
        .gauge("kube_replicaset_spec_replicas", "Number of desired pods for a ReplicaSet.", .stable) { $0.spec.replicas.map(Double.init) },
        .generation("kube_replicaset_metadata_generation", "Sequence number representing a specific generation of the desired state."),
        .owner("kube_replicaset_owner", "Information about the ReplicaSet's owner.", .stable),
        .annotations("kube_replicaset_annotations"),
        .labels("kube_replicaset_labels"),
    ]
}
