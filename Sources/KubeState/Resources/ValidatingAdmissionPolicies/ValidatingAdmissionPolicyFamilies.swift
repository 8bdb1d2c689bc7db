import KubeWatch

/// kube-state-metrics' validatingadmissionpolicy families
/// (internal/store/validatingadmissionpolicy.go), in its output order. Every sample
/// starts with `namespace, validatingadmissionpolicy`.
extension ValidatingAdmissionPolicy {
    public static let families: [Family<ValidatingAdmissionPolicy>] = [
        // Unset fields read as empty labels.
        .info("kube_validatingadmissionpolicy_info", "Information about the ValidatingAdmissionPolicy.",
              labels: ["param_api_version", "param_kind", "failure_policy"]) { policy in
            [policy.spec.paramKind?.apiVersion ?? "", policy.spec.paramKind?.kind ?? "", policy.spec.failurePolicy ?? ""]
        },
        .created("kube_validatingadmissionpolicy_created", "Unix creation timestamp.", .alpha),
    ]
}
