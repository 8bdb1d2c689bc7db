import KubeWatch

/// kube-state-metrics' configmap families (internal/store/configmap.go), in its output
/// order. Every sample starts with `namespace, configmap`.
extension ConfigMap {
    public static let families: [Family<ConfigMap>] = [
        .annotations("kube_configmap_annotations"),
        .labels("kube_configmap_labels"),
        .gauge("kube_configmap_info", "Information about configmap.", .stable) { _ in 1 },
        .created("kube_configmap_created"),
        .resourceVersion("kube_configmap_metadata_resource_version", "Resource version representing a specific version of the configmap."),
    ]
}
