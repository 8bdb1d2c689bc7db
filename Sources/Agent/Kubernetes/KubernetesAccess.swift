import HTTP2Transport
import KubeState
import KubeWatch
import Logging

/// The Kubernetes watches the configuration asks for, when a cluster can be reached:
/// kube-state's kinds, this node's pods for the container collector's names, and the
/// events stream's connection.
struct KubernetesAccess {
    let client: HTTP2Client
    let token: BearerToken
    let source: KubeStateSource
    /// Pod names for the container collector (nil when it is off).
    let podIndex: PodMetadataIndex?
    /// False when only the container collector needs the API (kube-state is off).
    let servesKubeState: Bool

    /// Nil when Kubernetes is off, nothing needs the API, or nothing points at a
    /// cluster (then the Kubernetes parts stay off, as `auto_detect` promises).
    static func make(config: AgentConfig, kubeconfigFlag: String?, nodeName: String, environment: [String: String],
                     logger: Logger) throws -> KubernetesAccess? {
        let metrics = config.kubeMetrics
        let state = metrics.kubeState
        let resources = state.enabled ? state.effectiveResources : []
        guard config.kubernetes.enable, metrics.enabled,
              !resources.isEmpty || metrics.cadvisor.enabled || metrics.logsStreaming.enabled else { return nil }
        guard let access = try ClusterAccess.resolve(flag: kubeconfigFlag, configured: config.kubernetes.kubeconfig,
                                                     environment: environment) else {
            logger.info("no Kubernetes API configured or in-cluster; Kubernetes collectors are off")
            return nil
        }
        let client = try HTTP2Client(endpoint: access.endpoint, tls: access.tls)
        var configuration = KubeStateConfiguration(resources: resources)
        configuration.sharding = try ShardAssignment.resolve(state, environment: environment)
        // A shard serves pods of every node; otherwise a replica in a cluster serves its node's.
        let nodeLocal = switch state.nodeLocalPods {
        case .true: true
        case .false: false
        case .auto: access.origin == .inCluster && !state.isSharded
        }
        // Without kube-state pods, the container collector needs this node's pods only.
        if nodeLocal || !resources.contains(Pod.descriptor.name) { configuration.nodeName = nodeName }
        configuration.namespaces = state.namespaces
        configuration.excludedNamespaces = state.namespacesExclude
        configuration.labelsAllowlist = state.metricLabelsAllowlist
        configuration.annotationsAllowlist = state.metricAnnotationsAllowlist
        configuration.optIn = state.metricOptIn
        configuration.filter = try FamilyFilter(allow: state.metricAllowlist, deny: state.metricDenylist)
        configuration.userAgent = "telegen/\(BuildInfo.version)"
        let podIndex = metrics.cadvisor.enabled ? PodMetadataIndex(nodeName: nodeName) : nil
        logger.info("watching the Kubernetes API", metadata: [
            "api": "\(access.endpoint)", "access": "\(access.origin)", "resources": "\(resources.joined(separator: ","))",
            "pods": "\(configuration.nodeName.map { "node \($0)" } ?? "all nodes")",
            "shard": "\(configuration.sharding.map(describe) ?? "all objects")",
        ])
        let token = BearerToken(credential: access.credential)
        let source = KubeStateSource(client: client, token: token, configuration: configuration, podObserver: podIndex, logger: logger)
        return KubernetesAccess(client: client, token: token, source: source, podIndex: podIndex, servesKubeState: !resources.isEmpty)
    }

    private static func describe(_ sharding: ShardConfiguration) -> String {
        switch sharding.total {
        case .fixed(let total): "\(sharding.shard) of \(total)"
        case .statefulSet(let namespace, let name): "\(sharding.shard) of statefulset \(namespace)/\(name)'s replicas"
        }
    }
}
