import KubeWatch

/// kube-state-metrics' secret families (internal/store/secret.go), in its output
/// order. Every sample starts with `namespace, secret`.
extension Secret {
    public static let families: [Family<Secret>] = [
        .info("kube_secret_info", "Information about secret.", .stable, labels: []) { _ in [] },
        .info("kube_secret_type", "Type about secret.", .stable, labels: ["type"]) { [$0.type] },
        .annotations("kube_secret_annotations"),
        .labels("kube_secret_labels"),
        .created("kube_secret_created"),
        .resourceVersion("kube_secret_metadata_resource_version", "Resource version representing a specific version of secret."),
        .owner("kube_secret_owner", "Information about the Secret's owner."),
    ]
}
