import AppMetrics
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
    /// Application metrics' targets, discovered from the same pod watch (nil when
    /// `app_metrics` is off).
    let appTargets: TargetSet?
    /// False when only the container collector needs the API (kube-state is off).
    let servesKubeState: Bool
    /// The Lease election that decides whether this replica serves the cluster-wide
    /// kinds and streams events (nil: it always does).
    let leadership: LeaderElector?

    /// Nil when Kubernetes is off, nothing needs the API, or nothing points at a
    /// cluster (then the Kubernetes parts stay off, as `auto_detect` promises).
    /// `standalone`: no leader election whatever the configuration (`--once`).
    static func make(config: AgentConfig, kubeconfigFlag: String?, nodeName: String, environment: [String: String],
                     standalone: Bool = false, logger: Logger) throws -> KubernetesAccess? {
        let metrics = config.kubeMetrics
        let state = metrics.kubeState
        let resources = state.enabled ? state.effectiveResources : []
        guard config.kubernetes.enable, metrics.enabled,
              !resources.isEmpty || metrics.cadvisor.enabled || metrics.logsStreaming.enabled || metrics.appMetrics.enabled else { return nil }
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
        // Application metrics read their targets from this node's pods, in the same watch.
        let appTargets = metrics.appMetrics.enabled ? TargetSet(rules: AppMetricsService.rules(metrics.appMetrics, nodeName: nodeName)) : nil
        if let appTargets {
            configuration.observedPodAnnotations = appTargets.rules.annotationKeys
            configuration.observedPodLabels = DiscoveryRules.labelKeys
        }
        var podObservers: [any ObjectObserver<Pod>] = []
        if let podIndex { podObservers.append(podIndex) }
        if let appTargets { podObservers.append(AppPodObserver(targets: appTargets)) }
        let podObserver: (any ObjectObserver<Pod>)? = podObservers.count > 1 ? PodObservers(observers: podObservers) : podObservers.first
        let token = BearerToken(credential: access.credential)
        let election = config.kubernetes.leaderElection
        let wanted = switch election.enabled {
        case .true: true
        case .false: false
        case .auto: access.origin == .inCluster && nodeLocal && !state.isSharded
        }
        let elects = wanted && !standalone
        var leadership: LeaderElector?
        if elects {
            var settings = LeaderElectionSettings(namespace: leaseNamespace(election, environment: environment), name: election.leaseName,
                                                  identity: identity(environment: environment, nodeName: nodeName))
            settings.leaseDuration = election.leaseDuration
            settings.renewDeadline = election.renewDeadline
            settings.retryPeriod = election.retryPeriod
            settings.userAgent = configuration.userAgent
            // Its own connection: a renewal must not queue behind a large list on the
            // watches' connection, nor behind their reconnect (connect timeout 10 s).
            let leaseConnection = try HTTP2Client(endpoint: access.endpoint, tls: access.tls, connectTimeout: settings.requestTimeout)
            let lease = LeaseClient(client: leaseConnection, token: token, namespace: settings.namespace, name: settings.name,
                                    userAgent: settings.userAgent)
            leadership = LeaderElector(client: lease, settings: settings, logger: logger)
        }
        logger.info("watching the Kubernetes API", metadata: [
            "api": "\(access.endpoint)", "access": "\(access.origin)", "resources": "\(resources.joined(separator: ","))",
            "pods": "\(configuration.nodeName.map { "node \($0)" } ?? "all nodes")",
            "shard": "\(configuration.sharding.map(describe) ?? "all objects")",
            "leader_election": "\(leadership.map { "lease \($0.leaseName) as \($0.settings.identity)" } ?? "off")",
        ])
        let source = KubeStateSource(client: client, token: token, configuration: configuration, podObserver: podObserver,
                                     leadership: leadership, logger: logger)
        return KubernetesAccess(client: client, token: token, source: source, podIndex: podIndex, appTargets: appTargets,
                                servesKubeState: !resources.isEmpty, leadership: leadership)
    }

    /// The Lease's namespace: configured, else the pod's (downward API, then the
    /// service account's namespace file), else `default`.
    private static func leaseNamespace(_ election: LeaderElectionConfig, environment: [String: String]) -> String {
        if !election.namespace.isEmpty { return election.namespace }
        if let namespace = environment["POD_NAMESPACE"], !namespace.isEmpty { return namespace }
        return ClusterAccess.serviceAccountNamespace() ?? "default"
    }

    /// The pod name (unique per incarnation, kept across container restarts), else the host name.
    private static func identity(environment: [String: String], nodeName: String) -> String {
        if let pod = environment["POD_NAME"], !pod.isEmpty { return pod }
        if let host = environment["HOSTNAME"], !host.isEmpty { return host }
        return nodeName
    }

    private static func describe(_ sharding: ShardConfiguration) -> String {
        switch sharding.total {
        case .fixed(let total): "\(sharding.shard) of \(total)"
        case .statefulSet(let namespace, let name): "\(sharding.shard) of statefulset \(namespace)/\(name)'s replicas"
        }
    }
}
