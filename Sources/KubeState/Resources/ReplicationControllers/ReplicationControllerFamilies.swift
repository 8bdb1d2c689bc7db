import KubeWatch

/// kube-state-metrics' replicationcontroller families (internal/store/replicationcontroller.go),
/// in its output order. Every sample starts with `namespace, replicationcontroller`.
extension ReplicationController {
    public static let families: [Family<ReplicationController>] = [
        .created("kube_replicationcontroller_created"),
        .gauge("kube_replicationcontroller_status_replicas", "The number of replicas per ReplicationController.", .stable) {
            Double($0.status.replicas)
        },
        .gauge("kube_replicationcontroller_status_fully_labeled_replicas", "The number of fully labeled replicas per ReplicationController.", .stable) {
            Double($0.status.fullyLabeledReplicas)
        },
        .gauge("kube_replicationcontroller_status_ready_replicas", "The number of ready replicas per ReplicationController.", .stable) {
            Double($0.status.readyReplicas)
        },
        .gauge("kube_replicationcontroller_status_available_replicas", "The number of available replicas per ReplicationController.", .stable) {
            Double($0.status.availableReplicas)
        },
        .gauge("kube_replicationcontroller_status_observed_generation", "The generation observed by the ReplicationController controller.", .stable) {
            Double($0.status.observedGeneration)
        },
        .gauge("kube_replicationcontroller_spec_replicas", "Number of desired pods for a ReplicationController.", .stable) {
            $0.spec.replicas.map(Double.init)
        },
        .generation("kube_replicationcontroller_metadata_generation", "Sequence number representing a specific generation of the desired state."),
        .owner("kube_replicationcontroller_owner", "Information about the ReplicationController's owner."),
    ]
}
