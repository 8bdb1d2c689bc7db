import KubeWatch

/// kube-state-metrics' clusterrole families (internal/store/clusterrole.go), in its
/// output order. Every sample starts with `clusterrole`.
extension ClusterRole {
    public static let families: [Family<ClusterRole>] = [
        .annotations("kube_clusterrole_annotations"),
        .labels("kube_clusterrole_labels", "Kubernetes labels converted to Prometheus labels.", .alpha),
        .gauge("kube_clusterrole_info", "Information about cluster role.") { _ in 1 },
        .created("kube_clusterrole_created", "Unix creation timestamp", .alpha),
        .resourceVersion("kube_clusterrole_metadata_resource_version", "Resource version representing a specific version of the cluster role."),
    ]
}
