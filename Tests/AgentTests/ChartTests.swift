@testable import Agent
import Foundation
@testable import KubeState
import Testing
import TestSupport
import Yams

fileprivate typealias YAMLNode = Yams.Node

/// The Helm chart in charts/telegen, rendered by a real helm (scripts/install-deps --test
/// puts one in .venv/bin) and checked against the agent itself: `helm lint --strict`,
/// kubernetes-validate's schemas, RBAC evaluated rule by rule for every kind the registry
/// serves, and each rendered telegen.yaml loaded by Telegen's own configuration loader.
@Suite(.serialized)
struct ChartTests {
    static let chart = Repository.root.appendingPathComponent("charts/telegen").path
    static let shardedValues = chart + "/values-sharded.yaml"
    static let release = "telegen"
    static let namespace = "monitoring"
    /// kubernetes-validate's own version, the newest schemas it carries, and an older one.
    static let kubernetesVersions = ["1.37.0", "1.33.0"]

    // MARK: lint and schemas

    @Test(arguments: [nil, ChartTests.shardedValues] as [String?])
    func lintIsClean(values: String?) throws {
        let helm = try Self.helm()
        let result = try Command.run(helm, ["lint", "--strict", Self.chart] + (values.map { ["--values", $0] } ?? []))
        #expect(result.status == 0, "helm lint --strict \(values ?? "(default values)"):\n\(result.combinedOutput)")
    }

    @Test(arguments: [nil, ChartTests.shardedValues] as [String?])
    func renderedManifestsMatchTheKubernetesSchemas(values: String?) throws {
        let validate = try Self.tool("kubernetes-validate")
        let scratch = try TemporaryDirectory("chart")
        let file = try scratch.write("rendered.yaml", try Self.template(values: values.map { [$0] } ?? []))
        for version in Self.kubernetesVersions {
            let result = try Command.run(validate, ["--strict", "--quiet", "--kubernetes-version", version, file])
            #expect(result.status == 0 && !result.combinedOutput.contains("ERROR"),
                    "kubernetes-validate --strict -k \(version), \(values ?? "default values"):\n\(result.combinedOutput)")
        }
    }

    // MARK: RBAC

    /// Every kind in the registry, whether or not it is in the default set: a new kind
    /// without a ClusterRole rule fails here.
    @Test(arguments: [nil, ChartTests.shardedValues] as [String?])
    func clusterRoleListsAndWatchesEveryKind(values: String?) throws {
        let rendered = try Rendered(values: values.map { [$0] } ?? [])
        let daemonSet = try rendered.one("DaemonSet")
        var accounts = [try #require(daemonSet["spec"]?["template"]?["spec"]?["serviceAccountName"]?.string)]
        if values != nil {
            let statefulSet = try rendered.one("StatefulSet")
            accounts.append(try #require(statefulSet["spec"]?["template"]?["spec"]?["serviceAccountName"]?.string))
        }
        #expect(KubeResources.all.count == KubeResources.names.count)
        for account in accounts {
            let rules = rendered.clusterRules(for: account, namespace: Self.namespace)
            #expect(!rules.isEmpty, "no ClusterRoleBinding for \(account)")
            for kind in KubeResources.all {
                let api = kind.descriptor.api
                for verb in ["list", "watch"] {
                    #expect(rules.contains { $0.allows(verb: verb, group: api.group, resource: api.resource) },
                            "\(account) cannot \(verb) \(api.group.isEmpty ? "core" : api.group)/\(api.resource) cluster-wide")
                }
            }
        }
        // Read-only, and never a get: list and watch are all kube-state and events take.
        let clusterRole = try rendered.one("ClusterRole")
        for rule in PolicyRule.all(in: clusterRole) {
            #expect(Set(rule.verbs).isSubset(of: ["list", "watch"]), "ClusterRole grants \(rule.verbs) on \(rule.resources)")
            #expect(!rule.apiGroups.contains("*") && !rule.resources.contains("*"), "wildcard in \(rule)")
        }
    }

    /// `total_shards: auto` lists and watches the replica's own StatefulSet by field
    /// selector: the Role binds the shards' service account to exactly that.
    @Test func shardsMayWatchTheirOwnStatefulSet() throws {
        let rendered = try Rendered(values: [Self.shardedValues])
        let statefulSet = try rendered.one("StatefulSet")
        let name = try #require(statefulSet["metadata"]?["name"]?.string)
        let account = try #require(statefulSet["spec"]?["template"]?["spec"]?["serviceAccountName"]?.string)
        #expect(account != Self.release, "the shards should not share the DaemonSet's service account")

        // The StatefulSet Telegen will follow, derived as the agent derives it.
        let config = try load(rendered.shardConfig(), environment: ["POD_NAME": "\(name)-1", "POD_NAMESPACE": Self.namespace])
        let assignment = try #require(try ShardAssignment.resolve(config.kubeMetrics.kubeState,
                                                                  environment: ["POD_NAME": "\(name)-1", "POD_NAMESPACE": Self.namespace]))
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
        // The DaemonSet's account gets none of it.
        #expect(rendered.namespacedRules(for: Self.release, namespace: Self.namespace).isEmpty)
    }

    // MARK: workloads and their configuration

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
        let assignment = try #require(try ShardAssignment.resolve(kubeState, environment: environment))
        #expect(assignment.shard == 1)
    }

    /// The DaemonSet's telegen.yaml loads cleanly with and without the shards, and it
    /// keeps serving only its node's pods.
    @Test(arguments: [nil, ChartTests.shardedValues] as [String?])
    func daemonSetConfigLoads(values: String?) throws {
        let rendered = try Rendered(values: values.map { [$0] } ?? [])
        let config = try load(rendered.daemonSetConfig(), environment: ["NODE_NAME": "node-1"])
        #expect(config.kubeMetrics.kubeState.resources == ["pods"])
        #expect(config.kubeMetrics.kubeState.totalShards == .number(1))
        #expect(config.kubeMetrics.cadvisor.enabled)
        #expect(config.kubeMetrics.node.procRoot == "/host/proc")
        if values == nil {
            #expect(!rendered.documents.contains { ["StatefulSet", "Role", "RoleBinding", "Service"].contains($0["kind"]?.string) })
        }
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

    /// Both sides serving the same kind, or an empty list (the whole default set) on one
    /// side, would double series: the render refuses.
    @Test(arguments: ["resources: [pods, nodes]", "resources: []"])
    func overlappingKindsFailTheRender(shardResources: String) throws {
        let scratch = try TemporaryDirectory("chart")
        let overrides = try scratch.write("values.yaml", """
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

    // MARK: helpers

    private func load(_ text: String, environment: [String: String]) throws -> AgentConfig {
        let scratch = try TemporaryDirectory("chart-config")
        let path = try scratch.write("telegen.yaml", text)
        switch ConfigLoader.load(explicitPath: path, environment: environment) {
        case .success(let loaded): return loaded.config
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
}

private struct ChartError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
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

    func configMapText(named name: String, key: String) throws -> String {
        let configMap = try #require(documents.first { $0["kind"]?.string == "ConfigMap" && $0["metadata"]?["name"]?.string == name })
        return try #require(configMap["data"]?[key]?.string, "ConfigMap \(name) has no \(key)")
    }

    /// The DaemonSet's ConfigMap, as its pod mounts it.
    func daemonSetConfig() throws -> String {
        let pod = try #require(try one("DaemonSet")["spec"]?["template"]?["spec"])
        let volume = try #require(pod["volumes"]?.sequence?.first { $0["name"]?.string == "config" })
        return try configMapText(named: try #require(volume["configMap"]?["name"]?.string), key: "telegen.yaml")
    }

    var shardConfigMapName: String? {
        (try? one("StatefulSet"))?["spec"]?["template"]?["spec"]?["volumes"]?.sequence?
            .first { $0["name"]?.string == "config" }?["configMap"]?["name"]?.string
    }

    func shardConfig() throws -> String {
        try configMapText(named: try #require(shardConfigMapName), key: "kube-state.yaml")
    }

    /// The rules a ClusterRoleBinding gives a service account, cluster-wide.
    func clusterRules(for account: String, namespace: String) -> [PolicyRule] {
        rules(bindingKind: "ClusterRoleBinding", account: account, namespace: namespace)
    }

    /// The rules RoleBindings in `namespace` give a service account there.
    func namespacedRules(for account: String, namespace: String) -> [PolicyRule] {
        rules(bindingKind: "RoleBinding", account: account, namespace: namespace)
    }

    private func rules(bindingKind: String, account: String, namespace: String) -> [PolicyRule] {
        var rules: [PolicyRule] = []
        for binding in documents where binding["kind"]?.string == bindingKind {
            if bindingKind == "RoleBinding" && binding["metadata"]?["namespace"]?.string != namespace { continue }
            let subjects = binding["subjects"]?.sequence.map(Array.init) ?? []
            let bound = subjects.contains { subject in
                subject["kind"]?.string == "ServiceAccount" && subject["name"]?.string == account
                    && subject["namespace"]?.string == namespace
            }
            guard bound, let roleKind = binding["roleRef"]?["kind"]?.string, let roleName = binding["roleRef"]?["name"]?.string else { continue }
            for role in documents where role["kind"]?.string == roleKind && role["metadata"]?["name"]?.string == roleName {
                if roleKind == "Role" && role["metadata"]?["namespace"]?.string != namespace { continue }
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
