import HTTP2Transport
import KubeWatch
import Logging

/// The pod watch the configuration asks for, when a cluster can be reached: the
/// kube-state collector and the container collector's names both read from it.
struct KubernetesAccess {
    let client: HTTP2Client
    let pods: PodWatch
    let podOptions: PodFamilies.Options
    /// False when only the container collector needs the pods (kube-state is off).
    let servesKubeState: Bool

    /// Nil when Kubernetes is off, no pod-reading collector is on, or nothing points
    /// at a cluster (then the Kubernetes parts stay off, as `auto_detect` promises).
    static func make(config: AgentConfig, kubeconfigFlag: String?, nodeName: String, environment: [String: String],
                     logger: Logger) throws -> KubernetesAccess? {
        let metrics = config.kubeMetrics
        let state = metrics.kubeState
        let watchesPods = state.enabled && (state.resources.isEmpty || state.resources.contains("pods"))
        guard config.kubernetes.enable, metrics.enabled, watchesPods || metrics.cadvisor.enabled else { return nil }
        guard let access = try ClusterAccess.resolve(flag: kubeconfigFlag, configured: config.kubernetes.kubeconfig,
                                                     environment: environment) else {
            logger.info("no Kubernetes API configured or in-cluster; Kubernetes collectors are off")
            return nil
        }
        let client = try HTTP2Client(endpoint: access.endpoint, tls: access.tls)
        var watch = PodWatch.Configuration()
        let nodeLocal = switch state.nodeLocalPods {
        case .true: true
        case .false: false
        case .auto: access.origin == .inCluster
        }
        // Without kube-state pods, the container collector needs this node's pods only.
        if nodeLocal || !watchesPods { watch.nodeName = nodeName }
        watch.namespaces = state.namespaces
        watch.excludedNamespaces = state.namespacesExclude
        let nodeSelectors = state.metricOptIn.contains { pattern in
            (try? Regex(pattern)).map { "kube_pod_nodeselectors".wholeMatch(of: $0) != nil } ?? false
        }
        watch.decoding = PodDecodingOptions(labels: KeyAllowlist(state.metricLabelsAllowlist["pods"] ?? []),
                                            annotations: KeyAllowlist(state.metricAnnotationsAllowlist["pods"] ?? []),
                                            nodeSelectors: nodeSelectors)
        watch.userAgent = "telegen/\(BuildInfo.version)"
        logger.info("watching pods", metadata: ["api": "\(access.endpoint)", "access": "\(access.origin)",
                                               "node": "\(watch.nodeName ?? "all")"])
        let pods = PodWatch(client: client, token: BearerToken(credential: access.credential), configuration: watch, logger: logger)
        let options = PodFamilies.Options(labelsAllowlisted: !(state.metricLabelsAllowlist["pods"] ?? []).isEmpty,
                                          annotationsAllowlisted: !(state.metricAnnotationsAllowlist["pods"] ?? []).isEmpty,
                                          nodeSelectors: nodeSelectors)
        return KubernetesAccess(client: client, pods: pods, podOptions: options, servesKubeState: watchesPods)
    }
}
