import KubeWatch

/// kube-state-metrics' poddisruptionbudget families (internal/store/poddisruptionbudget.go),
/// in its output order. Every sample starts with `namespace, poddisruptionbudget`.
extension PodDisruptionBudget {
    public static let families: [Family<PodDisruptionBudget>] = [
        .annotations("kube_poddisruptionbudget_annotations"),
        .labels("kube_poddisruptionbudget_labels", "Kubernetes labels converted to Prometheus labels.", .alpha),
        .created("kube_poddisruptionbudget_created"),
        .gauge("kube_poddisruptionbudget_status_current_healthy", "Current number of healthy pods", .stable) {
            Double($0.status.currentHealthy)
        },
        .gauge("kube_poddisruptionbudget_status_desired_healthy", "Minimum desired number of healthy pods", .stable) {
            Double($0.status.desiredHealthy)
        },
        .gauge("kube_poddisruptionbudget_status_pod_disruptions_allowed", "Number of pod disruptions that are currently allowed", .stable) {
            Double($0.status.disruptionsAllowed)
        },
        .gauge("kube_poddisruptionbudget_status_expected_pods", "Total number of pods counted by this disruption budget", .stable) {
            Double($0.status.expectedPods)
        },
        .gauge("kube_poddisruptionbudget_status_observed_generation", "Most recent generation observed when updating this PDB status", .stable) {
            Double($0.status.observedGeneration)
        },
        .deletionTimestamp("kube_poddisruptionbudget_deletion_timestamp"),
    ]
}
