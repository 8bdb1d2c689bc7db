import KubeWatch

/// kube-state-metrics' networkpolicy families (internal/store/networkpolicy.go), in its
/// output order. Every sample starts with `namespace, networkpolicy`.
extension NetworkPolicy {
    public static let families: [Family<NetworkPolicy>] = [
        // Unlike the other kinds' `*_created`, written even when unset (Go's zero time).
        .gauge("kube_networkpolicy_created", "Unix creation timestamp of network policy") {
            KubeStateRules.seconds($0.metadata.creationTimestamp)
        },
        .annotations("kube_networkpolicy_annotations"),
        .labels("kube_networkpolicy_labels", "Kubernetes labels converted to Prometheus labels.", .alpha),
        .gauge("kube_networkpolicy_spec_ingress_rules", "Number of ingress rules on the networkpolicy") { Double($0.ingressRules) },
        .gauge("kube_networkpolicy_spec_egress_rules", "Number of egress rules on the networkpolicy") { Double($0.egressRules) },
    ]
}
