import TelemetryModel
import HTTP2Transport
import KubeWatch
import Logging

/// Every kind kube-state serves, one line each. `kube_state.resources`, the keys of
/// the label and annotation allowlists and `metric_opt_in` are checked against it.
public enum KubeResources {
    public static let all: [any KubeResource.Type] = [
        CertificateSigningRequest.self,
        ClusterRole.self,
        ClusterRoleBinding.self,
        ConfigMap.self,
        CronJob.self,
        DaemonSet.self,
        Deployment.self,
        EndpointSlice.self,
        Endpoints.self,
        HorizontalPodAutoscaler.self,
        Ingress.self,
        IngressClass.self,
        Job.self,
        KubeService.self,
        Lease.self,
        LimitRange.self,
        MutatingAdmissionPolicy.self,
        MutatingAdmissionPolicyBinding.self,
        MutatingWebhookConfiguration.self,
        Namespace.self,
        NetworkPolicy.self,
        Node.self,
        PersistentVolume.self,
        PersistentVolumeClaim.self,
        Pod.self,
        PodDisruptionBudget.self,
        ReplicaSet.self,
        ReplicationController.self,
        ResourceQuota.self,
        Role.self,
        RoleBinding.self,
        Secret.self,
        ServiceAccount.self,
        StatefulSet.self,
        StorageClass.self,
        ValidatingAdmissionPolicy.self,
        ValidatingAdmissionPolicyBinding.self,
        ValidatingWebhookConfiguration.self,
        VolumeAttachment.self,
    ]

    /// kube-state-metrics' `--resources` names.
    public static var names: [String] { all.map { $0.descriptor.name }.sorted() }

    /// The kinds served when `kube_state.resources` is empty: kube-state-metrics' default set.
    public static var defaultNames: [String] { all.filter { $0.descriptor.enabledByDefault }.map { $0.descriptor.name }.sorted() }

    /// Every opt-in family of every kind.
    public static var optInFamilies: [String] {
        all.flatMap { $0.optInFamilyNames }
    }

    /// Every family header of every kind, kinds by name (the golden list's source).
    public static var headers: [(resource: String, families: [Family<Void>.Header])] {
        all.sorted { $0.descriptor.name < $1.descriptor.name }.map { ($0.descriptor.name, $0.familyHeaders) }
    }
}

extension Family {
    /// A family's header and declared labels, without its rule.
    public struct Header: Sendable {
        public var header: FamilyHeader
        public var labels: [String]
        public var optIn: Bool
    }
}

extension KubeResource {
    static var optInFamilyNames: [String] { families.filter(\.optIn).map(\.name) }

    static var familyHeaders: [Family<Void>.Header] {
        families.map { Family<Void>.Header(header: $0.header, labels: $0.labels, optIn: $0.optIn) }
    }

    static func makeWatch(client: HTTP2Client, token: BearerToken, configuration: KubeStateConfiguration, serves: Bool,
                          podObserver: (any Sendable)?, shards: ShardFilter?, logger: Logger) -> any ResourceWatching {
        ResourceWatch<Self>(client: client, token: token, configuration: configuration, options: configuration.options(for: descriptor.name),
                            serves: serves, observer: podObserver as? any ObjectObserver<Self>, shards: shards, logger: logger)
    }
}
