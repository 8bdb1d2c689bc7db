import KubeWatch

/// kube-state-metrics' clusterrolebinding families (internal/store/clusterrolebinding.go),
/// in its output order. Every sample starts with `clusterrolebinding`.
extension ClusterRoleBinding {
    public static let families: [Family<ClusterRoleBinding>] = [
        .annotations("kube_clusterrolebinding_annotations"),
        .labels("kube_clusterrolebinding_labels", "Kubernetes labels converted to Prometheus labels.", .alpha),
        .roleRefInfo("kube_clusterrolebinding_info", "Information about clusterrolebinding."),
        .created("kube_clusterrolebinding_created", "Unix creation timestamp", .alpha),
        .resourceVersion("kube_clusterrolebinding_metadata_resource_version",
                         "Resource version representing a specific version of the clusterrolebinding."),
    ]
}
