import KubeWatch

/// kube-state-metrics' serviceaccount families (internal/store/serviceaccount.go), in
/// its output order. Every sample starts with `namespace, serviceaccount, uid`.
extension ServiceAccount {
    public static let families: [Family<ServiceAccount>] = [
        // An unset automountServiceAccountToken is an empty label, not "false".
        .info("kube_serviceaccount_info", "Information about a service account", labels: ["automount_token"]) { account in
            [account.automountServiceAccountToken.map(KubeStateRules.bool) ?? ""]
        },
        .created("kube_serviceaccount_created", "Unix creation timestamp", .alpha),
        .deletionTimestamp("kube_serviceaccount_deleted"),
        Family("kube_serviceaccount_secret", "Secret being referenced by a service account", labels: ["name"]) { account, out in
            for name in account.secrets { out.add(name, 1) }
        },
        Family("kube_serviceaccount_image_pull_secret", "Secret being referenced by a service account for the purpose of pulling images",
               labels: ["name"]) { account, out in
            for name in account.imagePullSecrets { out.add(name, 1) }
        },
        .annotations("kube_serviceaccount_annotations"),
        .labels("kube_serviceaccount_labels", "Kubernetes labels converted to Prometheus labels.", .alpha),
    ]
}
