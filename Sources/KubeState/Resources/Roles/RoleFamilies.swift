import KubeWatch

/// kube-state-metrics' role families (internal/store/role.go), in its output order.
/// Every sample starts with `namespace, role`.
extension Role {
    public static let families: [Family<Role>] = [
        .annotations("kube_role_annotations"),
        .labels("kube_role_labels", "Kubernetes labels converted to Prometheus labels.", .alpha),
        .gauge("kube_role_info", "Information about role.") { _ in 1 },
        .created("kube_role_created", "Unix creation timestamp", .alpha),
        .resourceVersion("kube_role_metadata_resource_version", "Resource version representing a specific version of the role."),
    ]
}
