import KubeWatch

/// kube-state-metrics' mutatingwebhookconfiguration families
/// (internal/store/mutatingwebhookconfiguration.go), in its output order. Every sample
/// starts with `namespace, mutatingwebhookconfiguration`.
extension MutatingWebhookConfiguration {
    public static let families: [Family<MutatingWebhookConfiguration>] = [
        .gauge("kube_mutatingwebhookconfiguration_info", "Information about the MutatingWebhookConfiguration.") { _ in 1 },
        .created("kube_mutatingwebhookconfiguration_created", "Unix creation timestamp.", .alpha),
        .resourceVersion("kube_mutatingwebhookconfiguration_metadata_resource_version",
                         "Resource version representing a specific version of the MutatingWebhookConfiguration."),
        .webhookClientConfigService("kube_mutatingwebhookconfiguration_webhook_clientconfig_service",
                                    "Service used by the apiserver to connect to a mutating webhook."),
    ]
}
