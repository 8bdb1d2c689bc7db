@testable import Agent
import Foundation
@testable import KubeState
import KubeWatch
import Testing
import TestSupport
import Yams

fileprivate typealias YAMLNode = Yams.Node

/// The chart's modes: the default values and each values file next to them
/// (docs/deployment.md says what each installs).
enum ChartMode: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case defaults = ""
    case daemonSet = "values-daemonset.yaml"
    case sharded = "values-sharded.yaml"
    case eventsOn = "values-events-on.yaml"
    case eventsOff = "values-events-off.yaml"
    case hardened = "values-hardened.yaml"

    var files: [String] { self == .defaults ? [] : [ChartTests.chart + "/" + rawValue] }
    var testDescription: String { self == .defaults ? "default values" : rawValue }
}

/// The Helm chart in charts/telegen, rendered by a real helm (scripts/install-deps --test
/// puts one in .venv/bin) for every mode and checked against the agent itself:
/// `helm lint --strict`, kubernetes-validate's schemas, RBAC evaluated rule by rule
/// against what each rendered telegen.yaml watches, the pods' security settings and host
/// mounts against the paths the config reads, and each rendered telegen.yaml loaded by
/// Telegen's own configuration loader with the environment the pod would give it.
@Suite(.serialized)
struct ChartTests {
    static let chart = Repository.root.appendingPathComponent("charts/telegen").path
    static let shardedValues = chart + "/values-sharded.yaml"
    static let release = "telegen"
    static let namespace = "monitoring"
    /// kubernetes-validate's own version, the newest schemas it carries, and an older one.
    static let kubernetesVersions = ["1.37.0", "1.33.0"]
    /// Custom resources kubernetes-validate has no schema for: left out of its input and
    /// checked in `serviceMonitorScrapesEveryPod` instead.
    static let customResourceAPIs: Set<String> = ["monitoring.coreos.com/v1"]
    /// The capabilities Telegen's container may add back after dropping ALL (what the
    /// collectors need to read other users' /proc entries). Nothing else, in any mode.
    static let agentCapabilities: Set<String> = ["DAC_READ_SEARCH"]
    /// The state directory's init container: chown and chmod of the hostPath, nothing more.
    static let stateInitContainer = "state-directory"
    static let stateInitCapabilities: Set<String> = ["CHOWN", "FOWNER"]
    /// What the pod's environment would hold: the downward API's fields and the OTLP
    /// Secret's keys (values-events-on.yaml and values-events-off.yaml name one).
    static let fieldValues = ["spec.nodeName": "node-1", "metadata.namespace": namespace]
    static let secretValues = ["endpoint": "https://otel-collector.observability:4317",
                               "headers": "authorization=Bearer%20token,x-tenant=prod"]

    // MARK: lint and schemas

    /// A values file without a mode here would go untested.
    @Test func everyValuesFileIsAMode() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.chart)
            .filter { $0.hasPrefix("values-") && $0.hasSuffix(".yaml") }
        #expect(Set(files) == Set(ChartMode.allCases.map(\.rawValue).filter { !$0.isEmpty }))
    }

    @Test(arguments: ChartMode.allCases)
    func lintIsClean(mode: ChartMode) throws {
        let result = try Command.run(try Self.helm(), ["lint", "--strict", Self.chart] + mode.files.flatMap { ["--values", $0] })
        #expect(result.status == 0, "helm lint --strict \(mode.testDescription):\n\(result.combinedOutput)")
    }

    @Test(arguments: ChartMode.allCases)
    func renderedManifestsMatchTheKubernetesSchemas(mode: ChartMode) throws {
        let skipped = try Self.validateSchemas(try Self.template(values: mode.files), label: mode.testDescription)
        #expect(skipped.isEmpty, "\(mode.testDescription) renders custom resources: \(skipped)")
    }

    /// The default mode's file says what the defaults are: it must not drift from them.
    @Test func daemonSetFileRendersTheDefaults() throws {
        #expect(try Self.template(values: ChartMode.daemonSet.files) == Self.template(values: []))
    }

    // MARK: RBAC

    /// Each workload's ClusterRole grants list and watch on exactly what its rendered
    /// telegen.yaml watches, as Telegen resolves it (an empty `resources` is the
    /// registry's default set; pods for the container collector; core/v1 events for
    /// logs_streaming), and nothing else.
    @Test(arguments: ChartMode.allCases)
    func clusterRolesGrantExactlyWhatTheConfigWatches(mode: ChartMode) throws {
        let rendered = try Rendered(values: mode.files)
        for workload in try rendered.workloads() {
            let config = try rendered.config(of: workload)
            try Self.expectExactClusterGrants(rendered, workload: workload, config: config, label: mode.testDescription)
        }
        Self.expectNoSecretReadAndNoWildcard(rendered)
    }

    /// The chart's own table of kinds (group, default or not) against the registry: every
    /// kind named explicitly, and, through the default values, the default set.
    @Test func everyRegistryKindGetsItsRule() throws {
        let scratch = try TemporaryDirectory("chart")
        let overrides = try scratch.write("values.yaml", """
            config: {kube_metrics: {kube_state: {resources: [\(KubeResources.names.joined(separator: ", "))]}}}
            """)
        let rendered = try Rendered(values: [overrides])
        let daemonSet = try rendered.workload("DaemonSet")
        let config = try rendered.config(of: daemonSet)
        #expect(config.kubeMetrics.kubeState.effectiveResources.count == KubeResources.all.count)
        try Self.expectExactClusterGrants(rendered, workload: daemonSet, config: config, label: "every kind")
    }

    /// With leader election on, the DaemonSet's account may create Leases in the Lease's
    /// namespace and get and update the one Lease it elects with; with it off, nothing.
    @Test(arguments: ChartMode.allCases)
    func leaseRoleFollowsTheElection(mode: ChartMode) throws {
        let rendered = try Rendered(values: mode.files)
        let daemonSet = try rendered.workload("DaemonSet")
        let config = try rendered.config(of: daemonSet)
        let election = config.kubernetes.leaderElection
        #expect(Self.electsLeader(config) == (mode != .hardened), "leader election in \(mode.testDescription)")
        #expect(election.leaseName == "\(Self.release)-leader")
        try Self.expectLeaseRole(rendered, account: daemonSet.serviceAccount, config: config)
    }

    /// A Lease elsewhere gets its Role elsewhere.
    @Test func leaseRoleFollowsTheLeaseNamespaceAndName() throws {
        let scratch = try TemporaryDirectory("chart")
        let overrides = try scratch.write("values.yaml", """
            config: {kubernetes: {leader_election: {namespace: kube-system, lease_name: telegen-prod}}}
            """)
        let rendered = try Rendered(values: [overrides])
        let daemonSet = try rendered.workload("DaemonSet")
        let config = try rendered.config(of: daemonSet)
        #expect(config.kubernetes.leaderElection.namespace == "kube-system")
        #expect(config.kubernetes.leaderElection.leaseName == "telegen-prod")
        try Self.expectLeaseRole(rendered, account: daemonSet.serviceAccount, config: config)
        #expect(rendered.namespacedRules(for: daemonSet.serviceAccount, namespace: Self.namespace).isEmpty)
    }

    /// `total_shards: auto` lists and watches the replica's own StatefulSet by field
    /// selector: the Role binds the shards' service account to exactly that.
    @Test func shardsMayWatchTheirOwnStatefulSet() throws {
        let rendered = try Rendered(values: [Self.shardedValues])
        let statefulSet = try rendered.workload("StatefulSet")
        let name = statefulSet.name
        let account = statefulSet.serviceAccount
        #expect(account != (try rendered.workload("DaemonSet")).serviceAccount, "the shards should not share the DaemonSet's service account")

        // The StatefulSet Telegen will follow, derived as the agent derives it.
        let environment = ["POD_NAME": "\(name)-1", "POD_NAMESPACE": Self.namespace]
        let config = try rendered.config(of: statefulSet)
        let assignment = try #require(try ShardAssignment.resolve(config.kubeMetrics.kubeState, environment: environment))
        #expect(assignment.total == .statefulSet(namespace: Self.namespace, name: name))

        let rules = rendered.namespacedRules(for: account, namespace: Self.namespace)
        for verb in ["get", "list", "watch"] {
            #expect(rules.contains { $0.allows(verb: verb, group: "apps", resource: "statefulsets", name: name) },
                    "\(account) cannot \(verb) statefulset \(Self.namespace)/\(name)")
        }
        // Only its own StatefulSet, and only reads.
        #expect(!rules.contains { $0.allows(verb: "get", group: "apps", resource: "statefulsets", name: "someone-else") })
        #expect(!rules.contains { $0.allows(verb: "list", group: "apps", resource: "statefulsets") })
        for verb in ["update", "patch", "delete", "create"] {
            #expect(!rules.contains { $0.allows(verb: verb, group: "apps", resource: "statefulsets", name: name) })
        }
        #expect(rules.allSatisfy { $0.resources == ["statefulsets"] }, "\(rules)")
        // The DaemonSet's account gets none of it.
        let daemonSetAccount = try rendered.workload("DaemonSet").serviceAccount
        #expect(!rendered.namespacedRules(for: daemonSetAccount, namespace: Self.namespace).contains { $0.resources.contains("statefulsets") })
    }

    // MARK: pod security and host access

    /// No container is privileged, none can escalate, every one drops ALL and adds back
    /// only what it is allowed; every pod runs as a non-root user with RuntimeDefault
    /// seccomp, and only the state directory's init container runs as root.
    @Test(arguments: ChartMode.allCases)
    func noContainerIsPrivileged(mode: ChartMode) throws {
        let rendered = try Rendered(values: mode.files)
        for workload in try rendered.workloads() {
            let pod = workload.pod
            let label = "\(mode.testDescription) \(workload.kind)"
            #expect(pod["securityContext"]?["runAsNonRoot"]?.bool == true, "\(label): runAsNonRoot")
            #expect((pod["securityContext"]?["runAsUser"]?.int ?? 0) > 0, "\(label): runAsUser")
            #expect(pod["securityContext"]?["seccompProfile"]?["type"]?.string == "RuntimeDefault", "\(label): seccomp")
            for key in ["hostNetwork", "hostIPC"] {
                #expect(pod[key]?.bool != true, "\(label): \(key)")
            }
            let initContainers = pod["initContainers"]?.sequence.map(Array.init) ?? []
            for container in initContainers + workload.containers {
                let name = container["name"]?.string ?? ""
                let security = try #require(container["securityContext"], "\(label) \(name): no securityContext")
                #expect(security["privileged"]?.bool != true, "\(label) \(name): privileged")
                #expect(security["allowPrivilegeEscalation"]?.bool == false, "\(label) \(name): allowPrivilegeEscalation")
                #expect(security["readOnlyRootFilesystem"]?.bool == true, "\(label) \(name): readOnlyRootFilesystem")
                #expect(security["capabilities"]?["drop"]?.sequence?.compactMap(\.string) == ["ALL"], "\(label) \(name): drop")
                let added = Set(security["capabilities"]?["add"]?.sequence?.compactMap(\.string) ?? [])
                let isStateInit = name == Self.stateInitContainer && initContainers.contains { $0 == container }
                let allowed = isStateInit ? Self.stateInitCapabilities : Self.agentCapabilities
                #expect(added.isSubset(of: allowed), "\(label) \(name) adds \(added.subtracting(allowed).sorted())")
                if !isStateInit {
                    #expect(security["runAsUser"]?.int != 0 && security["runAsNonRoot"]?.bool != false, "\(label) \(name) runs as root")
                }
            }
            #expect(initContainers.allSatisfy { $0["name"]?.string == Self.stateInitContainer }, "\(label): init containers")
        }
        if mode == .hardened {
            let agent = try rendered.workload("DaemonSet").agent
            #expect(agent["securityContext"]?["capabilities"]?["add"]?.sequence?.isEmpty ?? true, "hardened adds capabilities")
        }
    }

    /// The host's /proc, /sys, /sys/fs/cgroup and / are mounted read-only exactly where
    /// the rendered telegen.yaml reads them, for the collectors it enables and no others;
    /// the host PID namespace only for per-pod network counters.
    @Test(arguments: ChartMode.allCases)
    func hostDirectoriesAreMountedReadOnlyWhereTheConfigReadsThem(mode: ChartMode) throws {
        let rendered = try Rendered(values: mode.files)
        try Self.expectHostMounts(rendered, label: mode.testDescription)
        if mode == .hardened {
            #expect(!(try rendered.workload("DaemonSet")).hostMounts.contains { ["/", "/sys"].contains($0.hostPath) })
        }
    }

    /// Paths set in `config` move the mounts with them (two /proc mounts when the
    /// collectors disagree).
    @Test func hostMountsFollowTheConfiguredPaths() throws {
        let scratch = try TemporaryDirectory("chart")
        let overrides = try scratch.write("values.yaml", """
            config:
              kube_metrics:
                node: {proc_root: /hostfs/proc, sys_root: /hostfs/sys, rootfs: /hostfs}
                cadvisor: {proc_root: /cadvisor/proc, cgroup_root: /cadvisor/cgroup}
            """)
        let rendered = try Rendered(values: [overrides])
        try Self.expectHostMounts(rendered, label: "custom paths")
        #expect(try rendered.workload("DaemonSet").hostMounts.filter { $0.hostPath == "/proc" }.count == 2)
    }

    fileprivate static func expectHostMounts(_ rendered: Rendered, label: String) throws {
        let daemonSet = try rendered.workload("DaemonSet")
        let metrics = try rendered.config(of: daemonSet).kubeMetrics
        var expected: [String: String] = [:]
        if metrics.enabled && metrics.node.enabled {
            expected[metrics.node.procRoot] = "/proc"
            expected[metrics.node.sysRoot] = "/sys"
            expected[metrics.node.rootfs] = "/"
        }
        if metrics.enabled && metrics.cadvisor.enabled {
            expected[metrics.cadvisor.procRoot] = "/proc"
            expected[metrics.cadvisor.cgroupRoot] = "/sys/fs/cgroup"
        }
        let readOnly = daemonSet.hostMounts.filter(\.readOnly)
        #expect(Dictionary(readOnly.map { ($0.mountPath, $0.hostPath) }, uniquingKeysWith: { $0 + "," + $1 }) == expected,
                "\(label): host mounts \(readOnly)")
        #expect(!expected.isEmpty)
        let networkThroughPods = metrics.enabled && metrics.cadvisor.enabled && metrics.cadvisor.networkEnabled
        #expect((daemonSet.pod["hostPID"]?.bool ?? false) == networkThroughPods, "\(label): hostPID")
        // The shards touch nothing of the host.
        if let statefulSet = try rendered.workloads().first(where: { $0.kind == "StatefulSet" }) {
            #expect(statefulSet.hostMounts.isEmpty)
            #expect(statefulSet.pod["hostPID"]?.bool != true)
        }
    }

    /// What Telegen writes (event checkpoint, disk queues) is on the one writable host
    /// directory, a node-local DirectoryOrCreate hostPath, which exists only when the
    /// config writes something; the root filesystem is read-only.
    @Test(arguments: ChartMode.allCases)
    func writtenPathsAreOnTheStateDirectory(mode: ChartMode) throws {
        let rendered = try Rendered(values: mode.files)
        let daemonSet = try rendered.workload("DaemonSet")
        let written = Self.writtenPaths(try rendered.declaredConfig(of: daemonSet))
        let writable = daemonSet.hostMounts.filter { !$0.readOnly }
        #expect(writable.count == (written.isEmpty ? 0 : 1), "\(mode.testDescription): writable host mounts \(writable)")
        #expect((daemonSet.pod["initContainers"] != nil) == !written.isEmpty, "\(mode.testDescription): state init container")
        for mount in writable {
            #expect(mount.type == "DirectoryOrCreate")
            #expect(mount.hostPath.hasPrefix("/var/lib/telegen/"), "state on the host at \(mount.hostPath)")
        }
        for path in written {
            #expect(writable.contains { path == $0.mountPath || path.hasPrefix($0.mountPath + "/") }, "\(path) is not on a writable volume")
        }
        switch mode {
        case .eventsOn: #expect(written == ["/var/lib/telegen/events.checkpoint"])
        case .eventsOff: #expect(written == ["/var/lib/telegen/metrics-queue"])
        default: #expect(written.isEmpty)
        }
    }

    // MARK: the rendered configuration

    /// Every rendered telegen.yaml loads cleanly with the pod's environment (downward
    /// API, the OTLP Secret) and says what the mode promises.
    @Test(arguments: ChartMode.allCases)
    func everyRenderedConfigLoads(mode: ChartMode) throws {
        let rendered = try Rendered(values: mode.files)
        let daemonSet = try rendered.workload("DaemonSet")
        let config = try rendered.config(of: daemonSet)
        let metrics = config.kubeMetrics
        let kubeState = metrics.kubeState
        switch mode {
        case .sharded, .hardened: #expect(kubeState.resources == ["pods"])
        default: #expect(kubeState.resources.isEmpty && kubeState.effectiveResources == KubeResources.defaultNames)
        }
        #expect(config.kubernetes.leaderElection.enabled == (mode == .hardened ? .false : .auto))
        #expect(kubeState.totalShards == .number(1))
        #expect(metrics.cadvisor.enabled)
        #expect(metrics.node.enabled == (mode != .hardened))
        #expect(metrics.logsStreaming.enabled == (mode == .eventsOn))
        let pushes = mode == .eventsOn || mode == .eventsOff
        #expect(metrics.streaming.enabled == pushes)
        if pushes {
            // From the Secret, through OTEL_EXPORTER_OTLP_ENDPOINT and _HEADERS.
            #expect(ExportTarget.metrics(metrics)?.url == Self.secretValues["endpoint"])
            #expect(metrics.streaming.headers == ["authorization": "Bearer token", "x-tenant": "prod"])
            if metrics.logsStreaming.enabled {
                #expect(ExportTarget.logs(metrics)?.url == Self.secretValues["endpoint"])
            }
        }
        if mode == .sharded {
            let shards = try rendered.config(of: try rendered.workload("StatefulSet"))
            #expect(shards.kubernetes.leaderElection.enabled == .false)
            #expect(!shards.kubeMetrics.logsStreaming.enabled)
        }
    }

    /// The OTLP Secret reaches both workloads as OTEL_EXPORTER_OTLP_* variables: the
    /// endpoint required, headers optional, the logs' own keys only where events go.
    @Test func otlpSecretBecomesTheEnvironment() throws {
        let scratch = try TemporaryDirectory("chart")
        let overrides = try scratch.write("values.yaml", """
            otlp: {existingSecret: otlp-credentials, endpointKey: url, headersKey: auth, logsEndpointKey: logs-url, logsHeadersKey: logs-auth}
            config: {kube_metrics: {streaming: {enabled: true}}}
            """)
        let rendered = try Rendered(values: [Self.shardedValues, overrides])
        let expected: [String: (key: String, optional: Bool)] = [
            "OTEL_EXPORTER_OTLP_ENDPOINT": ("url", false), "OTEL_EXPORTER_OTLP_HEADERS": ("auth", true),
            "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": ("logs-url", true), "OTEL_EXPORTER_OTLP_LOGS_HEADERS": ("logs-auth", true),
        ]
        for workload in try rendered.workloads() {
            var found: [String: (key: String, optional: Bool)] = [:]
            for variable in workload.agent["env"]?.sequence ?? [] {
                guard let reference = variable["valueFrom"]?["secretKeyRef"] else { continue }
                #expect(reference["name"]?.string == "otlp-credentials")
                found[variable["name"]?.string ?? ""] = (reference["key"]?.string ?? "", reference["optional"]?.bool ?? false)
            }
            let wanted = workload.kind == "DaemonSet" ? expected : expected.filter { !$0.key.contains("_LOGS_") }
            #expect(found.mapValues { "\($0.key) \($0.optional)" } == wanted.mapValues { "\($0.key) \($0.optional)" }, "\(workload.kind)")
        }
    }

    @Test func shardedStatefulSetRunsKubeStateOnly() throws {
        let rendered = try Rendered(values: [Self.shardedValues])
        let statefulSet = try rendered.one("StatefulSet")
        let name = try #require(statefulSet["metadata"]?["name"]?.string)
        #expect(name == "\(Self.release)-kube-state")
        #expect(statefulSet["metadata"]?["namespace"]?.string == Self.namespace)
        let spec = try #require(statefulSet["spec"])
        #expect(spec["replicas"]?.int == 3)

        // Governed by a headless Service that selects its pods.
        let serviceName = try #require(spec["serviceName"]?.string)
        let service = try #require(rendered.documents.first { $0["kind"]?.string == "Service" && $0["metadata"]?["name"]?.string == serviceName })
        #expect(service["spec"]?["clusterIP"]?.string == "None")
        let podLabels = Self.stringMap(spec["template"]?["metadata"]?["labels"])
        let selector = Self.stringMap(service["spec"]?["selector"])
        #expect(!selector.isEmpty && selector.allSatisfy { podLabels[$0.key] == $0.value })
        #expect(Self.stringMap(spec["selector"]?["matchLabels"]).allSatisfy { podLabels[$0.key] == $0.value })

        let pod = try #require(spec["template"]?["spec"])
        let container = try #require(pod["containers"]?.sequence?.first)
        #expect(pod["containers"]?.sequence?.count == 1)
        #expect(container["args"]?.sequence?.compactMap(\.string) == ["--config", "/etc/telegen/kube-state.yaml"])
        var env: [String: String] = [:]
        for variable in container["env"]?.sequence ?? [] {
            env[variable["name"]?.string ?? ""] = variable["valueFrom"]?["fieldRef"]?["fieldPath"]?.string
        }
        #expect(env["POD_NAME"] == "metadata.name")
        #expect(env["POD_NAMESPACE"] == "metadata.namespace")

        // No host access, nothing added, non-root, read-only.
        for key in ["hostPID", "hostNetwork", "hostIPC"] {
            #expect(pod[key]?.bool != true, "\(key) on the shards")
        }
        for volume in pod["volumes"]?.sequence ?? [] {
            #expect(volume["hostPath"] == nil, "hostPath volume \(volume["name"]?.string ?? "")")
        }
        let security = try #require(container["securityContext"])
        #expect(pod["securityContext"]?["runAsNonRoot"]?.bool == true)
        #expect(pod["securityContext"]?["seccompProfile"]?["type"]?.string == "RuntimeDefault")
        #expect(security["readOnlyRootFilesystem"]?.bool == true)
        #expect(security["allowPrivilegeEscalation"]?.bool == false)
        #expect(security["privileged"]?.bool != true)
        #expect(security["capabilities"]?["drop"]?.sequence?.compactMap(\.string) == ["ALL"])
        #expect(security["capabilities"]?["add"] == nil)

        // The file --config names is the ConfigMap's kube-state.yaml.
        let mount = try #require(container["volumeMounts"]?.sequence?.first { $0["mountPath"]?.string == "/etc/telegen" })
        let volume = try #require(pod["volumes"]?.sequence?.first { $0["name"] == mount["name"] })
        #expect(volume["configMap"]?["name"]?.string == rendered.shardConfigMapName)

        // Telegen loads it as the pod will run it: ordinal 1, total from the StatefulSet.
        let environment = ["POD_NAME": "\(name)-1", "POD_NAMESPACE": Self.namespace]
        let config = try load(rendered.shardConfig(), environment: environment)
        let kubeState = config.kubeMetrics.kubeState
        #expect(kubeState.enabled)
        #expect(kubeState.shard == .auto)
        #expect(kubeState.totalShards == .auto)
        #expect(!config.kubeMetrics.node.enabled)
        #expect(!config.kubeMetrics.cadvisor.enabled)
        #expect(!Self.electsLeader(config))
        let assignment = try #require(try ShardAssignment.resolve(kubeState, environment: environment))
        #expect(assignment.shard == 1)
    }

    /// With the shards on, kube-state-metrics' default set is served exactly once: pods by
    /// the DaemonSet (per node), everything else by the shards.
    @Test func everyDefaultKindIsServedOnce() throws {
        let rendered = try Rendered(values: [Self.shardedValues])
        let daemonSet = try load(rendered.daemonSetConfig(), environment: [:]).kubeMetrics.kubeState.effectiveResources
        let shards = try load(rendered.shardConfig(), environment: ["POD_NAME": "\(Self.release)-kube-state-0", "POD_NAMESPACE": Self.namespace])
            .kubeMetrics.kubeState.effectiveResources
        #expect(Set(daemonSet).isDisjoint(with: shards), "served twice: \(Set(daemonSet).intersection(shards).sorted())")
        #expect((daemonSet + shards).sorted() == KubeResources.defaultNames,
                "missing: \(Set(KubeResources.defaultNames).subtracting(daemonSet + shards).sorted())")
    }

    /// The shards share the main config's listener and streaming settings, and the
    /// container ports follow the listen address.
    @Test func shardsFollowTheMainListenerAndStreaming() throws {
        let scratch = try TemporaryDirectory("chart")
        let overrides = try scratch.write("values.yaml", """
            config:
              kubernetes: {cluster_name: prod-eu}
              kube_metrics:
                listen_address: ":9555"
                streaming: {enabled: true, endpoint: "http://otel-collector.observability:4317", interval: 15s}
            """)
        let rendered = try Rendered(values: [Self.shardedValues, overrides])
        let environment = ["POD_NAME": "\(Self.release)-kube-state-2", "POD_NAMESPACE": Self.namespace]
        let shards = try load(rendered.shardConfig(), environment: environment)
        let daemonSet = try load(rendered.daemonSetConfig(), environment: [:])
        #expect(shards.kubeMetrics.listenAddress.port == 9555)
        #expect(shards.kubeMetrics.listenAddress == daemonSet.kubeMetrics.listenAddress)
        #expect(shards.kubeMetrics.streaming == daemonSet.kubeMetrics.streaming)
        #expect(shards.kubeMetrics.streaming.enabled)
        #expect(shards.kubernetes.clusterName == "prod-eu")
        for kind in ["DaemonSet", "StatefulSet"] {
            let container = try rendered.one(kind)["spec"]?["template"]?["spec"]?["containers"]?.sequence?.first
            #expect(container?["ports"]?.sequence?.first?["containerPort"]?.int == 9555, "\(kind) port")
        }
    }

    // MARK: what the render refuses

    /// Both sides serving the same kind, or an empty list (the whole default set) on one
    /// side, would double series: the render refuses.
    @Test(arguments: ["resources: [pods, nodes]", "resources: []"])
    func overlappingKindsFailTheRender(shardResources: String) throws {
        let scratch = try TemporaryDirectory("chart")
        let overrides = try scratch.write("values.yaml", """
            config: {kube_metrics: {kube_state: {resources: [pods]}}}
            kubeStateShards:
              enabled: true
              config: {kube_metrics: {kube_state: {\(shardResources)}}}
            """)
        let result = try Command.run(try Self.helm(), ["template", Self.release, Self.chart, "--values", overrides])
        #expect(result.status != 0, "rendered with \(shardResources)")
        #expect(result.stderr.contains("kubeStateShards:"), "\(result.stderr)")

        // Serving everything from the shards is fine once the DaemonSet serves no kinds.
        let alone = try scratch.write("alone.yaml", """
            config: {kube_metrics: {kube_state: {enabled: false}}}
            kubeStateShards:
              enabled: true
              config: {kube_metrics: {kube_state: {\(shardResources)}}}
            """)
        let rendered = try Rendered(values: [alone])
        _ = try load(rendered.shardConfig(), environment: ["POD_NAME": "\(Self.release)-kube-state-0", "POD_NAMESPACE": Self.namespace])
    }

    /// Values that would start pods that duplicate work, ignore the Secret, cannot push or
    /// write to a read-only filesystem.
    @Test(arguments: [
        ("config: {kubernetes: {leader_election: {enabled: false}}}", "every DaemonSet replica would serve the cluster-wide"),
        ("config: {kube_metrics: {kube_state: {node_local_pods: false}}}", "every DaemonSet replica would serve the cluster-wide"),
        ("config: {kubernetes: {leader_election: {enabled: false}}, kube_metrics: {kube_state: {resources: [pods]}, logs_streaming: {enabled: true, endpoint: \"http://c:4317\"}}}",
         "every DaemonSet replica would send every event"),
        ("otlp: {existingSecret: s}\nconfig: {kube_metrics: {streaming: {enabled: true, endpoint: \"\"}}}", "streaming.endpoint is in the file"),
        ("otlp: {existingSecret: s}\nconfig: {kube_metrics: {logs_streaming: {enabled: true, headers: {}}}}", "logs_streaming.headers is in the file"),
        ("config: {kube_metrics: {streaming: {enabled: true}}}", "streaming is enabled without an endpoint"),
        ("config: {kube_metrics: {logs_streaming: {enabled: true}}}", "logs_streaming is enabled without an endpoint"),
        ("otlp: {existingSecret: s}\nconfig: {kube_metrics: {logs_streaming: {enabled: true, checkpoint_file: /tmp/events.checkpoint}}}",
         "/tmp/events.checkpoint is not under stateDirectory.mountPath"),
        ("config: {kube_metrics: {kube_state: {resources: [deployment]}}}", "unknown resource \"deployment\""),
    ])
    func renderRefuses(values: String, because message: String) throws {
        let scratch = try TemporaryDirectory("chart")
        let overrides = try scratch.write("values.yaml", values)
        let result = try Command.run(try Self.helm(), ["template", Self.release, Self.chart, "--values", overrides])
        #expect(result.status != 0, "rendered:\n\(values)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    // MARK: monitoring

    /// Off by default; when on, a headless Service per workload and one ServiceMonitor
    /// that selects them, so that every pod's /metrics is scraped. kubernetes-validate
    /// has no schema for the ServiceMonitor: its shape is checked here.
    @Test(arguments: [ChartMode.defaults, .sharded])
    func serviceMonitorScrapesEveryPod(mode: ChartMode) throws {
        let off = try Rendered(values: mode.files)
        #expect(!off.documents.contains { $0["kind"]?.string == "ServiceMonitor" })
        #expect(off.documents.filter { $0["kind"]?.string == "Service" }.count == (mode == .sharded ? 1 : 0))

        let scratch = try TemporaryDirectory("chart")
        let overrides = try scratch.write("values.yaml", """
            serviceMonitor: {enabled: true, interval: 30s, additionalLabels: {release: prometheus}}
            """)
        let text = try Self.template(values: mode.files + [overrides])
        let skipped = try Self.validateSchemas(text, label: "\(mode.testDescription) with serviceMonitor")
        #expect(skipped == ["monitoring.coreos.com/v1 ServiceMonitor"])

        let rendered = try Rendered(values: mode.files + [overrides])
        let monitor = try rendered.one("ServiceMonitor")
        #expect(monitor["apiVersion"]?.string == "monitoring.coreos.com/v1")
        #expect(monitor["metadata"]?["namespace"]?.string == Self.namespace)
        #expect(Self.stringMap(monitor["metadata"]?["labels"])["release"] == "prometheus")
        let spec = try #require(monitor["spec"])
        #expect(Set(Self.keys(spec)) == ["selector", "namespaceSelector", "endpoints"])
        #expect(spec["namespaceSelector"]?["matchNames"]?.sequence?.compactMap(\.string) == [Self.namespace])
        let endpoints = spec["endpoints"]?.sequence.map(Array.init) ?? []
        #expect(endpoints.count == 1)
        let endpoint = try #require(endpoints.first)
        #expect(Set(Self.keys(endpoint)) == ["port", "path", "honorLabels", "interval"])
        #expect(endpoint["port"]?.string == "metrics" && endpoint["path"]?.string == "/metrics")
        #expect(endpoint["honorLabels"]?.bool == true && endpoint["interval"]?.string == "30s")

        // The Services it selects, and the pods each of those selects.
        let wanted = Self.stringMap(spec["selector"]?["matchLabels"])
        #expect(!wanted.isEmpty)
        let services = rendered.documents.filter { document in
            document["kind"]?.string == "Service" && document["metadata"]?["namespace"]?.string == Self.namespace
                && wanted.allSatisfy { Self.stringMap(document["metadata"]?["labels"])[$0.key] == $0.value }
        }
        let workloads = try rendered.workloads()
        #expect(services.count == workloads.count)
        var scraped: [String] = []
        for service in services {
            #expect(service["spec"]?["ports"]?.sequence?.contains { $0["name"]?.string == "metrics" && $0["targetPort"]?.string == "metrics" } == true)
            let selector = Self.stringMap(service["spec"]?["selector"])
            let selected = workloads.filter { workload in
                !selector.isEmpty && selector.allSatisfy { workload.podLabels[$0.key] == $0.value }
            }
            #expect(selected.count == 1, "Service \(service["metadata"]?["name"]?.string ?? "") selects \(selected.map(\.kind))")
            scraped += selected.map(\.kind)
            for workload in selected {
                #expect(workload.agent["ports"]?.sequence?.contains { $0["name"]?.string == "metrics" } == true)
            }
        }
        #expect(scraped.sorted() == workloads.map(\.kind).sorted())
    }

    // MARK: helpers

    /// What a telegen.yaml lists and watches, resolved as KubernetesAccess.make resolves
    /// it: kube-state's kinds, this node's pods for the container collector, core/v1
    /// events for the event stream (EventForwarder's resource); nothing without the API.
    static func watched(by config: AgentConfig) -> Set<Grant> {
        let metrics = config.kubeMetrics
        guard config.kubernetes.enable, metrics.enabled else { return [] }
        var apis: [APIResource] = []
        if metrics.kubeState.enabled {
            for name in metrics.kubeState.effectiveResources {
                if let kind = KubeResources.all.first(where: { $0.descriptor.name == name }) { apis.append(kind.descriptor.api) }
            }
        }
        if metrics.cadvisor.enabled { apis.append(Pod.descriptor.api) }
        if metrics.logsStreaming.enabled { apis.append(.events) }
        return Set(apis.flatMap { api in ["list", "watch"].map { Grant(group: api.group, resource: api.resource, verb: $0) } })
    }

    /// Whether a replica in a cluster with this config elects a leader, as
    /// KubernetesAccess.make decides it (in-cluster: `auto` follows node-local pods).
    static func electsLeader(_ config: AgentConfig) -> Bool {
        guard !watched(by: config).isEmpty else { return false }
        let state = config.kubeMetrics.kubeState
        let nodeLocal = switch state.nodeLocalPods {
        case .true: true
        case .false: false
        case .auto: !state.isSharded
        }
        return switch config.kubernetes.leaderElection.enabled {
        case .true: true
        case .false: false
        case .auto: nodeLocal && !state.isSharded
        }
    }

    /// The paths Telegen writes for the features the config turns on.
    static func writtenPaths(_ config: AgentConfig) -> [String] {
        let metrics = config.kubeMetrics
        var paths: [String] = []
        if metrics.streaming.enabled { paths.append(metrics.streaming.queue.directory) }
        if metrics.logsStreaming.enabled { paths += [metrics.logsStreaming.checkpointFile, metrics.logsStreaming.queue.directory] }
        return paths.filter { !$0.isEmpty }
    }

    fileprivate static func expectExactClusterGrants(_ rendered: Rendered, workload: Workload, config: AgentConfig, label: String) throws {
        let rules = rendered.clusterRules(for: workload.serviceAccount, namespace: namespace)
        var granted: Set<Grant> = []
        for rule in rules {
            #expect(rule.resourceNames.isEmpty, "\(label) \(workload.kind): a list or watch rule limited by name: \(rule)")
            for group in rule.apiGroups {
                for resource in rule.resources {
                    for verb in rule.verbs { granted.insert(Grant(group: group, resource: resource, verb: verb)) }
                }
            }
        }
        let expected = watched(by: config)
        #expect(!expected.isEmpty)
        // The difference, not the two sets: they run to a hundred grants.
        let missing = expected.subtracting(granted).sorted(), extra = granted.subtracting(expected).sorted()
        #expect(missing.isEmpty && extra.isEmpty, "\(label) \(workload.kind) (\(workload.serviceAccount)): missing \(missing), extra \(extra)")
    }

    fileprivate static func expectNoSecretReadAndNoWildcard(_ rendered: Rendered) {
        for role in rendered.documents where ["Role", "ClusterRole"].contains(role["kind"]?.string) {
            for rule in PolicyRule.all(in: role) {
                #expect(!rule.allows(verb: "get", group: "", resource: "secrets", name: "any"), "\(rule) reads secrets by name")
                #expect(!(rule.apiGroups + rule.resources + rule.verbs).contains("*"), "wildcard in \(rule)")
            }
        }
    }

    /// The Lease Role exactly (create on leases; get and update on the one Lease) when
    /// the config elects a leader, and no namespaced rule at all on leases otherwise.
    fileprivate static func expectLeaseRole(_ rendered: Rendered, account: String, config: AgentConfig) throws {
        let election = config.kubernetes.leaderElection
        let leaseNamespace = election.namespace.isEmpty ? namespace : election.namespace
        let rules = rendered.namespacedRules(for: account, namespace: leaseNamespace)
        let leaseRoles = rendered.documents.filter { role in
            role["kind"]?.string == "Role" && PolicyRule.all(in: role).contains { $0.resources.contains("leases") }
        }
        guard electsLeader(config) else {
            #expect(leaseRoles.isEmpty && rules.isEmpty, "a Lease Role without leader election: \(rules)")
            return
        }
        #expect(leaseRoles.count == 1 && leaseRoles.first?["metadata"]?["namespace"]?.string == leaseNamespace)
        let name = election.leaseName
        let lease = (group: "coordination.k8s.io", resource: "leases")
        #expect(rules.contains { $0.allows(verb: "create", group: lease.group, resource: lease.resource) })
        for verb in ["get", "update"] {
            #expect(rules.contains { $0.allows(verb: verb, group: lease.group, resource: lease.resource, name: name) })
            #expect(!rules.contains { $0.allows(verb: verb, group: lease.group, resource: lease.resource, name: "someone-elses") })
        }
        for verb in ["list", "watch", "patch", "delete", "deletecollection"] {
            #expect(!rules.contains { $0.allows(verb: verb, group: lease.group, resource: lease.resource, name: name) }, "\(verb) on leases")
        }
        let shape = Set(rules.map { "\($0.apiGroups) \($0.resources) \($0.verbs.sorted()) \($0.resourceNames)" })
        #expect(shape == ["[\"coordination.k8s.io\"] [\"leases\"] [\"create\"] []",
                          "[\"coordination.k8s.io\"] [\"leases\"] [\"get\", \"update\"] [\"\(name)\"]"])
    }

    /// Runs kubernetes-validate --strict on every document but the custom resources, for
    /// each Kubernetes version; returns "apiVersion kind" of the documents left out.
    static func validateSchemas(_ text: String, label: String) throws -> [String] {
        var kept: [String] = []
        var skipped: [String] = []
        for chunk in text.components(separatedBy: "\n---\n") {
            guard let node = try Yams.compose(yaml: chunk), let kind = node["kind"]?.string else { continue }
            let apiVersion = node["apiVersion"]?.string ?? ""
            if customResourceAPIs.contains(apiVersion) { skipped.append("\(apiVersion) \(kind)") } else { kept.append(chunk) }
        }
        let validate = try tool("kubernetes-validate")
        let scratch = try TemporaryDirectory("chart")
        let file = try scratch.write("rendered.yaml", kept.joined(separator: "\n---\n"))
        for version in kubernetesVersions {
            let result = try Command.run(validate, ["--strict", "--quiet", "--kubernetes-version", version, file])
            #expect(result.status == 0 && !result.combinedOutput.contains("ERROR"),
                    "kubernetes-validate --strict -k \(version), \(label):\n\(result.combinedOutput)")
        }
        return skipped
    }

    private func load(_ text: String, environment: [String: String]) throws -> AgentConfig {
        try Self.load(text, environment: environment)
    }

    fileprivate static func load(_ text: String, environment: [String: String]) throws -> AgentConfig {
        let scratch = try TemporaryDirectory("chart-config")
        let path = try scratch.write("telegen.yaml", text)
        switch ConfigLoader.load(explicitPath: path, environment: environment) {
        case .success(let loaded):
            #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
            return loaded.config
        case .failure(let errors):
            Issue.record("Telegen refuses the rendered config:\n\(errors.diagnostics.map(\.description).joined(separator: "\n"))\n---\n\(text)")
            throw errors
        }
    }

    static func helm() throws -> String { try tool("helm") }

    /// TELEGEN_TEST_<NAME>, else .venv/bin/<name> (scripts/install-deps --test), else PATH.
    static func tool(_ name: String) throws -> String {
        let variable = "TELEGEN_TEST_" + name.uppercased().replacingOccurrences(of: "-", with: "_")
        if let path = ProcessInfo.processInfo.environment[variable] { return path }
        let venv = Repository.root.appendingPathComponent(".venv/bin/\(name)").path
        if FileManager.default.isExecutableFile(atPath: venv) { return venv }
        return try Command.which(name, installHint: "run scripts/install-deps --test, which puts it in .venv/bin")
    }

    static func template(values: [String]) throws -> String {
        let result = try Command.run(try helm(), ["template", release, chart, "--namespace", namespace]
            + values.flatMap { ["--values", $0] })
        guard result.status == 0 else { throw ChartError("helm template failed:\n\(result.combinedOutput)") }
        return result.stdout
    }

    fileprivate static func stringMap(_ node: YAMLNode?) -> [String: String] {
        var map: [String: String] = [:]
        guard let mapping = node?.mapping else { return map }
        for (key, value) in mapping {
            if let key = key.string, let value = value.string { map[key] = value }
        }
        return map
    }

    fileprivate static func keys(_ node: YAMLNode) -> [String] {
        node.mapping?.keys.compactMap(\.string) ?? []
    }
}

/// One verb on one resource of one API group ("" for the core group).
struct Grant: Hashable, Comparable, CustomStringConvertible {
    var group: String
    var resource: String
    var verb: String

    static func < (a: Grant, b: Grant) -> Bool { (a.group, a.resource, a.verb) < (b.group, b.resource, b.verb) }
    var description: String { "\(verb) \(group.isEmpty ? "core" : group)/\(resource)" }
}

private struct ChartError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A hostPath volume as a container mounts it.
private struct HostMount: CustomStringConvertible {
    var hostPath: String
    var type: String
    var mountPath: String
    var readOnly: Bool
    var description: String { "\(hostPath) at \(mountPath)\(readOnly ? " (ro)" : "")" }
}

/// A rendered DaemonSet or StatefulSet: its pod template, and its Telegen container.
private struct Workload {
    let kind: String
    let name: String
    let pod: YAMLNode
    let podLabels: [String: String]

    var serviceAccount: String { pod["serviceAccountName"]?.string ?? "default" }
    var containers: [YAMLNode] { pod["containers"]?.sequence.map(Array.init) ?? [] }
    var agent: YAMLNode { containers.first { $0["name"]?.string == "telegen" } ?? [:] }

    /// The agent's hostPath mounts.
    var hostMounts: [HostMount] {
        let volumes = pod["volumes"]?.sequence.map(Array.init) ?? []
        return (agent["volumeMounts"]?.sequence ?? []).compactMap { mount in
            guard let volume = volumes.first(where: { $0["name"] == mount["name"] }), let hostPath = volume["hostPath"] else { return nil }
            return HostMount(hostPath: hostPath["path"]?.string ?? "", type: hostPath["type"]?.string ?? "",
                             mountPath: mount["mountPath"]?.string ?? "", readOnly: mount["readOnly"]?.bool ?? false)
        }
    }

    /// The environment the agent's container would get: downward API fields and the
    /// OTLP Secret's keys, with stand-in values.
    var environment: [String: String] {
        var environment: [String: String] = [:]
        for variable in agent["env"]?.sequence ?? [] {
            guard let name = variable["name"]?.string else { continue }
            if let value = variable["value"]?.string {
                environment[name] = value
            } else if let field = variable["valueFrom"]?["fieldRef"]?["fieldPath"]?.string {
                environment[name] = field == "metadata.name" ? "\(self.name)-\(kind == "StatefulSet" ? "1" : "x7k2p")" : ChartTests.fieldValues[field]
            } else if let key = variable["valueFrom"]?["secretKeyRef"]?["key"]?.string {
                environment[name] = ChartTests.secretValues[key]
            }
        }
        return environment
    }
}

/// `helm template` output, one node per document.
private struct Rendered {
    let documents: [YAMLNode]

    init(values: [String]) throws {
        documents = try Array(Yams.compose_all(yaml: ChartTests.template(values: values))).filter { $0.mapping != nil }
    }

    func one(_ kind: String) throws -> YAMLNode {
        let found = documents.filter { $0["kind"]?.string == kind }
        guard found.count == 1 else { throw ChartError("\(found.count) \(kind) documents rendered, expected 1") }
        return found[0]
    }

    func workload(_ kind: String) throws -> Workload {
        let document = try one(kind)
        let template = try #require(document["spec"]?["template"])
        return Workload(kind: kind, name: document["metadata"]?["name"]?.string ?? "", pod: try #require(template["spec"]),
                        podLabels: ChartTests.stringMap(template["metadata"]?["labels"]))
    }

    /// The DaemonSet, and the StatefulSet when the shards are on.
    func workloads() throws -> [Workload] {
        try ["DaemonSet", "StatefulSet"].filter { kind in documents.contains { $0["kind"]?.string == kind } }.map(workload)
    }

    func configMapText(named name: String, key: String) throws -> String {
        let configMap = try #require(documents.first { $0["kind"]?.string == "ConfigMap" && $0["metadata"]?["name"]?.string == name })
        return try #require(configMap["data"]?[key]?.string, "ConfigMap \(name) has no \(key)")
    }

    /// The file the agent's `--config` names, read from the ConfigMap mounted there.
    func configText(of workload: Workload) throws -> String {
        let arguments = workload.agent["args"]?.sequence?.compactMap(\.string) ?? []
        let index = try #require(arguments.firstIndex(of: "--config"), "\(workload.kind) runs without --config")
        let path = arguments[index + 1]
        let directory = String(path[..<path.lastIndex(of: "/")!])
        let mount = try #require(workload.agent["volumeMounts"]?.sequence?.first { $0["mountPath"]?.string == directory })
        let volume = try #require(workload.pod["volumes"]?.sequence?.first { $0["name"] == mount["name"] })
        let name = try #require(volume["configMap"]?["name"]?.string, "\(directory) is not a ConfigMap")
        return try configMapText(named: name, key: String(path[path.index(after: path.lastIndex(of: "/")!)...]))
    }

    /// The workload's telegen.yaml loaded as its pod would load it: with the pod's
    /// environment, and its writable volumes (where Telegen checks it may write) stood
    /// in for by a scratch directory.
    func config(of workload: Workload) throws -> AgentConfig {
        var text = try configText(of: workload)
        let scratch = try TemporaryDirectory("chart-state")
        for mount in workload.hostMounts where !mount.readOnly {
            text = text.replacingOccurrences(of: mount.mountPath + "/", with: scratch.path + "/")
        }
        return try withExtendedLifetime(scratch) { try ChartTests.load(text, environment: workload.environment) }
    }

    /// What the workload's telegen.yaml says, paths as written: parsed and validated key
    /// by key, without the environment or the checks that need the pod's filesystem.
    func declaredConfig(of workload: Workload) throws -> AgentConfig {
        switch ConfigLoader.parse(Array(try configText(of: workload).utf8), file: "telegen.yaml") {
        case .success(let parsed): return parsed.config
        case .failure(let errors): throw errors
        }
    }

    /// The DaemonSet's ConfigMap, as its pod mounts it.
    func daemonSetConfig() throws -> String { try configText(of: try workload("DaemonSet")) }

    var shardConfigMapName: String? {
        (try? one("StatefulSet"))?["spec"]?["template"]?["spec"]?["volumes"]?.sequence?
            .first { $0["name"]?.string == "config" }?["configMap"]?["name"]?.string
    }

    func shardConfig() throws -> String { try configText(of: try workload("StatefulSet")) }

    /// The rules a ClusterRoleBinding gives a service account, cluster-wide.
    func clusterRules(for account: String, namespace: String) -> [PolicyRule] {
        rules(bindingKind: "ClusterRoleBinding", account: account, namespace: namespace, bindingNamespace: nil)
    }

    /// The rules RoleBindings in `namespace` give the service account (of the release
    /// namespace) there.
    func namespacedRules(for account: String, namespace: String) -> [PolicyRule] {
        rules(bindingKind: "RoleBinding", account: account, namespace: ChartTests.namespace, bindingNamespace: namespace)
    }

    private func rules(bindingKind: String, account: String, namespace: String, bindingNamespace: String?) -> [PolicyRule] {
        var rules: [PolicyRule] = []
        for binding in documents where binding["kind"]?.string == bindingKind {
            if let bindingNamespace, binding["metadata"]?["namespace"]?.string != bindingNamespace { continue }
            let subjects = binding["subjects"]?.sequence.map(Array.init) ?? []
            let bound = subjects.contains { subject in
                subject["kind"]?.string == "ServiceAccount" && subject["name"]?.string == account
                    && subject["namespace"]?.string == namespace
            }
            guard bound, let roleKind = binding["roleRef"]?["kind"]?.string, let roleName = binding["roleRef"]?["name"]?.string else { continue }
            for role in documents where role["kind"]?.string == roleKind && role["metadata"]?["name"]?.string == roleName {
                if roleKind == "Role" && role["metadata"]?["namespace"]?.string != bindingNamespace { continue }
                rules += PolicyRule.all(in: role)
            }
        }
        return rules
    }
}

/// One RBAC rule, matched as the API server's RBAC authorizer matches it.
private struct PolicyRule: CustomStringConvertible {
    var apiGroups: [String]
    var resources: [String]
    var verbs: [String]
    var resourceNames: [String]

    static func all(in role: YAMLNode) -> [PolicyRule] {
        (role["rules"]?.sequence ?? []).map { rule in
            func strings(_ key: String) -> [String] { rule[key]?.sequence?.compactMap(\.string) ?? [] }
            return PolicyRule(apiGroups: strings("apiGroups"), resources: strings("resources"),
                              verbs: strings("verbs"), resourceNames: strings("resourceNames"))
        }
    }

    /// `name` is the object's name for a get, and for a list or watch the name a
    /// `metadata.name=` field selector asks for (nil: no such selector).
    func allows(verb: String, group: String, resource: String, name: String? = nil) -> Bool {
        (verbs.contains(verb) || verbs.contains("*"))
            && (apiGroups.contains(group) || apiGroups.contains("*"))
            && (resources.contains(resource) || resources.contains("*"))
            && (resourceNames.isEmpty || name.map(resourceNames.contains) == true)
    }

    var description: String { "\(apiGroups) \(resources) \(verbs) \(resourceNames)" }
}
