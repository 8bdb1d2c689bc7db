import KubeWatch

/// kube-state-metrics' namespace families (internal/store/namespace.go), in its
/// output order. Every sample starts with `namespace` (the namespace's own name).
extension Namespace {
    public static let families: [Family<Namespace>] = [
        .created("kube_namespace_created"),
        .annotations("kube_namespace_annotations"),
        .labels("kube_namespace_labels"),
        // Both phases always, even when the status has none.
        Family("kube_namespace_status_phase", "kubernetes namespace status phase.", .stable, labels: ["phase"]) { namespace, out in
            for phase in ["Active", "Terminating"] { out.add(phase, namespace.phase == phase ? 1 : 0) }
        },
        Family("kube_namespace_status_condition", "The condition of a namespace.", labels: ["condition", "status"]) { namespace, out in
            for condition in namespace.conditions { KubeStateRules.condition(condition.status, after: [condition.type], into: &out) }
        },
    ]
}
