import KubeWatch

/// kube-state-metrics' mutatingadmissionpolicybinding families
/// (internal/store/mutatingadmissionpolicybinding.go), in its output order. Every
/// sample starts with `namespace, mutatingadmissionpolicybinding`.
extension MutatingAdmissionPolicyBinding {
    public static let families: [Family<MutatingAdmissionPolicyBinding>] = [
        .admissionPolicyBindingInfo("kube_mutatingadmissionpolicybinding_info", "Information about the MutatingAdmissionPolicyBinding."),
        .created("kube_mutatingadmissionpolicybinding_created", "Unix creation timestamp.", .alpha),
    ]
}
