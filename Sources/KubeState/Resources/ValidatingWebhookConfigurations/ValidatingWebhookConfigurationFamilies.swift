import KubeWatch

/// kube-state-metrics' validatingwebhookconfiguration families
/// (internal/store/validatingwebhookconfiguration.go), in its output order. Every sample
/// starts with `namespace, validatingwebhookconfiguration`.
extension ValidatingWebhookConfiguration {
    public static let families: [Family<ValidatingWebhookConfiguration>] = [
        .gauge("kube_validatingwebhookconfiguration_info", "Information about the ValidatingWebhookConfiguration.") { _ in 1 },
        .created("kube_validatingwebhookconfiguration_created", "Unix creation timestamp.", .alpha),
        .resourceVersion("kube_validatingwebhookconfiguration_metadata_resource_version",
                         "Resource version representing a specific version of the ValidatingWebhookConfiguration."),
        .webhookClientConfigService("kube_validatingwebhookconfiguration_webhook_clientconfig_service",
                                    "Service used by the apiserver to connect to a validating webhook."),
    ]
}
