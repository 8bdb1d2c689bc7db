import KubeWatch

/// kube-state-metrics' mutatingadmissionpolicy families
/// (internal/store/mutatingadmissionpolicy.go), in its output order. Every sample
/// starts with `namespace, mutatingadmissionpolicy`.
extension MutatingAdmissionPolicy {
    public static let families: [Family<MutatingAdmissionPolicy>] = [
        // Unset fields read as empty labels.
        .info("kube_mutatingadmissionpolicy_info", "Information about the MutatingAdmissionPolicy.",
              labels: ["param_api_version", "param_kind", "failure_policy", "reinvocation_policy"]) { policy in
            [policy.spec.paramKind?.apiVersion ?? "", policy.spec.paramKind?.kind ?? "", policy.spec.failurePolicy ?? "",
             policy.spec.reinvocationPolicy]
        },
        .created("kube_mutatingadmissionpolicy_created", "Unix creation timestamp.", .alpha),
    ]
}
