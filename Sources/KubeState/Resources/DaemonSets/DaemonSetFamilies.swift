import KubeWatch

/// kube-state-metrics' daemonset families (internal/store/daemonset.go), in its
/// output order. Every sample starts with `namespace, daemonset`.
extension DaemonSet {
    public static let families: [Family<DaemonSet>] = [
        .created("kube_daemonset_created"),
        .gauge("kube_daemonset_status_current_number_scheduled", "The number of nodes running at least one daemon pod and are supposed to.",
               .stable) { Double($0.status.currentNumberScheduled) },
        .gauge("kube_daemonset_status_desired_number_scheduled", "The number of nodes that should be running the daemon pod.", .stable) {
            Double($0.status.desiredNumberScheduled)
        },
        .gauge("kube_daemonset_status_number_available",
               "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available",
               .stable) { Double($0.status.numberAvailable) },
        .gauge("kube_daemonset_status_number_misscheduled", "The number of nodes running a daemon pod but are not supposed to.", .stable) {
            Double($0.status.numberMisscheduled)
        },
        .gauge("kube_daemonset_status_number_ready",
               "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.",
               .stable) { Double($0.status.numberReady) },
        .gauge("kube_daemonset_status_number_unavailable",
               "The number of nodes that should be running the daemon pod and have none of the daemon pod running and available",
               .stable) { Double($0.status.numberUnavailable) },
        .gauge("kube_daemonset_status_observed_generation", "The most recent generation observed by the daemon set controller.", .stable) {
            Double($0.status.observedGeneration)
        },
        .gauge("kube_daemonset_status_updated_number_scheduled", "The total number of nodes that are running updated daemon pod", .stable) {
            Double($0.status.updatedNumberScheduled)
        },
        .generation("kube_daemonset_metadata_generation", "Sequence number representing a specific generation of the desired state."),
        .deletionTimestamp("kube_daemonset_deletion_timestamp"),
        .annotations("kube_daemonset_annotations"),
        .labels("kube_daemonset_labels"),
    ]
}
