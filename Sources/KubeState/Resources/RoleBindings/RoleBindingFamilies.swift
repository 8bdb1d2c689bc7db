import KubeWatch

/// kube-state-metrics' rolebinding families (internal/store/rolebinding.go), in its
/// output order. Every sample starts with `namespace, rolebinding`.
extension RoleBinding {
    public static let families: [Family<RoleBinding>] = [
        .annotations("kube_rolebinding_annotations"),
        .labels("kube_rolebinding_labels", "Kubernetes labels converted to Prometheus labels.", .alpha),
        .roleRefInfo("kube_rolebinding_info", "Information about rolebinding."),
        .created("kube_rolebinding_created", "Unix creation timestamp", .alpha),
        .resourceVersion("kube_rolebinding_metadata_resource_version", "Resource version representing a specific version of the rolebinding."),
    ]
}
