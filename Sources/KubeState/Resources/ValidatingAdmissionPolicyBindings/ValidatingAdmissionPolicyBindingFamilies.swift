import KubeWatch

/// kube-state-metrics' validatingadmissionpolicybinding families
/// (internal/store/validatingadmissionpolicybinding.go), in its output order. Every
/// sample starts with `namespace, validatingadmissionpolicybinding`.
extension ValidatingAdmissionPolicyBinding {
    public static let families: [Family<ValidatingAdmissionPolicyBinding>] = [
        .admissionPolicyBindingInfo("kube_validatingadmissionpolicybinding_info", "Information about the ValidatingAdmissionPolicyBinding."),
        .created("kube_validatingadmissionpolicybinding_created", "Unix creation timestamp.", .alpha),
        Family("kube_validatingadmissionpolicybinding_validation_action", "Validation actions for the ValidatingAdmissionPolicyBinding.",
               labels: ["action"]) { binding, out in
            for action in binding.validationActions { out.add(action, 1) }
        },
    ]
}
