import KubeWatch

/// kube-state-metrics' ingressclass families (internal/store/ingressclass.go), in its
/// output order. Every sample starts with `ingressclass`.
extension IngressClass {
    public static let families: [Family<IngressClass>] = [
        .info("kube_ingressclass_info", "Information about ingressclass.", labels: ["controller"]) { [$0.controller] },
        .created("kube_ingressclass_created", "Unix creation timestamp", .alpha),
        .annotations("kube_ingressclass_annotations"),
        .labels("kube_ingressclass_labels", "Kubernetes labels converted to Prometheus labels.", .alpha),
    ]
}
