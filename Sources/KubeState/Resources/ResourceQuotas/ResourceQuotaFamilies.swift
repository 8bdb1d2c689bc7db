import KubeWatch

/// kube-state-metrics' resourcequota families (internal/store/resourcequota.go), in its
/// output order. Every sample starts with `namespace, resourcequota`.
extension ResourceQuota {
    public static let families: [Family<ResourceQuota>] = [
        .created("kube_resourcequota_created"),
        Family("kube_resourcequota", "Information about resource quota.", .stable, labels: ["resource", "type"]) { quota, out in
            KubeStateRules.quantities(quota.hard, then: ["hard"], into: &out)
            KubeStateRules.quantities(quota.used, then: ["used"], into: &out)
        },
        .annotations("kube_resourcequota_annotations"),
        .labels("kube_resourcequota_labels"),
    ]
}
