@testable import Agent
import KubeState
import Testing
import TestSupport

struct ConfigTests {
    private func parse(_ yaml: String) -> Result<ConfigLoader.Parsed, ConfigErrors> {
        ConfigLoader.parse(Array(yaml.utf8), file: "telegen.yaml")
    }

    private func diagnostics(_ yaml: String) -> [String] {
        switch parse(yaml) {
        case .success: return []
        case .failure(let errors): return errors.diagnostics.map(\.description)
        }
    }

    @Test func emptyFileMeansDefaults() throws {
        for yaml in ["", "\n", "# only a comment\n", "---\n"] {
            let parsed = try parse(yaml).get()
            #expect(parsed.config == AgentConfig(), "\(yaml.debugDescription)")
            #expect(parsed.explicitKeys.isEmpty)
        }
    }

    @Test func defaultsAreSpecDefaults() {
        let config = AgentConfig()
        #expect(config.kubernetes.enable)
        #expect(config.kubeMetrics.listenAddress == ListenAddress(host: nil, port: 9443))
        #expect(config.kubeMetrics.kubeState.resyncPeriod == .seconds(300))
        #expect(config.kubeMetrics.node.collectInterval == .seconds(10))
        #expect(config.kubeMetrics.cadvisor.cgroupRoot == "/sys/fs/cgroup")
        #expect(config.kubeMetrics.streaming.enabled == false)
        #expect(config.kubeMetrics.streaming.queue.maxBytes == 64 * 1024 * 1024)
        #expect(config.kubeMetrics.streaming.timeout == .seconds(10))
        #expect(config.kubeMetrics.streaming.interval == .seconds(30))
        #expect(config.kubeMetrics.signalMetadata.enableDescription == false)
    }

    @Test func readsEveryKeyOfTheSpec() throws {
        let yaml = """
            kubernetes:
              enable: false
              kubeconfig: /root/.kube/config
              cluster_name: prod-eu
            kube_metrics:
              enabled: true
              auto_detect: false
              listen_address: "127.0.0.1:9100"
              separate_endpoints: false
              kube_state:
                enabled: true
                resources: [pods, deployments]
                namespaces: [default]
                namespaces_exclude: [kube-system]
                metric_allowlist: ["kube_pod_.*"]
                metric_denylist: []
                metric_opt_in: [kube_pod_nodeselectors]
                metric_labels_allowlist: {pods: [app, team]}
                metric_annotations_allowlist:
                  deployments: ["*"]
                resync_period: 1m30s
                shard: 1
                total_shards: 3
                node_local_pods: false
              cadvisor:
                enabled: false
                cgroup_root: /host/sys/fs/cgroup
                proc_root: /host/proc
                collect_interval: 15s
                disk_io_enabled: false
                network_enabled: false
                files_kept_open: 2048
              node:
                enabled: true
                proc_root: /host/proc
                sys_root: /host/sys
                rootfs: /host/root
                collect_interval: 500ms
              streaming:
                enabled: true
                endpoint: https://otel-collector:4317
                protocol: grpc
                headers: {x-tenant: acme}
                compression: none
                timeout: 5s
                interval: 1m
                temporality: delta
                tls: {ca_file: /ca.pem, cert_file: /c.pem, key_file: /k.pem, server_name: otel, insecure_skip_verify: false}
                queue: {max_bytes: 128MiB, directory: /var/lib/telegen/queue}
              logs_streaming:
                enabled: true
                endpoint: http://logs:4317
                checkpoint_file: /var/lib/telegen/events.rv
              signal_metadata:
                enabled: true
                fields:
                  enable_category: false
                  enable_subcategory: true
                  enable_source_module: true
                  enable_collector_type: false
                  enable_description: true

            """
        let parsed = try parse(yaml).get()
        let config = parsed.config
        #expect(config.kubernetes == KubernetesConfig(enable: false, kubeconfig: "/root/.kube/config", clusterName: "prod-eu"))
        let metrics = config.kubeMetrics
        #expect(metrics.autoDetect == false)
        #expect(metrics.listenAddress == ListenAddress(host: "127.0.0.1", port: 9100))
        #expect(metrics.separateEndpoints == false)
        #expect(metrics.kubeState.resources == ["pods", "deployments"])
        #expect(metrics.kubeState.metricLabelsAllowlist == ["pods": ["app", "team"]])
        #expect(metrics.kubeState.metricAnnotationsAllowlist == ["deployments": ["*"]])
        #expect(metrics.kubeState.resyncPeriod == .seconds(90))
        #expect(metrics.kubeState.shard == .number(1) && metrics.kubeState.totalShards == .number(3))
        #expect(metrics.kubeState.nodeLocalPods == .false)
        #expect(metrics.cadvisor == CAdvisorConfig(enabled: false, cgroupRoot: "/host/sys/fs/cgroup", procRoot: "/host/proc",
                                                   collectInterval: .seconds(15), diskIOEnabled: false, networkEnabled: false,
                                                   filesKeptOpen: 2048))
        #expect(metrics.node == NodeConfig(enabled: true, procRoot: "/host/proc", sysRoot: "/host/sys", rootfs: "/host/root",
                                           collectInterval: .milliseconds(500)))
        let streaming = metrics.streaming
        #expect(streaming.endpoint == "https://otel-collector:4317")
        #expect(streaming.headers == ["x-tenant": "acme"])
        #expect(streaming.compression == StreamingConfig.Compression.none)
        #expect(streaming.timeout == .seconds(5) && streaming.interval == .seconds(60))
        #expect(streaming.temporality == .delta)
        #expect(streaming.tls == StreamingConfig.TLS(caFile: "/ca.pem", certFile: "/c.pem", keyFile: "/k.pem", serverName: "otel"))
        #expect(streaming.queue == StreamingConfig.Queue(maxBytes: 128 << 20, directory: "/var/lib/telegen/queue"))
        #expect(metrics.logsStreaming == LogsStreamingConfig(enabled: true, endpoint: "http://logs:4317", checkpointFile: "/var/lib/telegen/events.rv"))
        #expect(metrics.signalMetadata == SignalMetadataConfig(enabled: true, enableCategory: false, enableSubcategory: true,
                                                               enableSourceModule: true, enableCollectorType: false, enableDescription: true))
        #expect(parsed.explicitKeys.contains("kube_metrics.streaming.endpoint"))
        #expect(parsed.explicitKeys.contains("kubernetes.cluster_name"))
    }

    /// Each bad file, and the exact line the user sees.
    @Test(arguments: [
        ("kube_metrics:\n  node:\n    enabeld: true\n",
         ["telegen.yaml:3:5: unknown key \"enabeld\" in kube_metrics.node (did you mean \"enabled\"?)"]),
        ("kube_metric:\n  enabled: true\n",
         ["telegen.yaml:1:1: unknown key \"kube_metric\" (did you mean \"kube_metrics\"?)"]),
        ("kube_metrics:\n  node:\n    collect_interval: 10 sec\n",
         ["telegen.yaml:3:23: kube_metrics.node.collect_interval: invalid duration \"10 sec\": unknown unit \" sec\" (use a number with a unit, like 10s, 1m30s or 500ms)"]),
        ("kube_metrics:\n  node:\n    collect_interval: 10\n",
         ["telegen.yaml:3:23: kube_metrics.node.collect_interval: invalid duration \"10\": missing unit (use a number with a unit, like 10s, 1m30s or 500ms)"]),
        ("kube_metrics:\n  cadvisor:\n    collect_interval: 0s\n",
         ["telegen.yaml:3:23: kube_metrics.cadvisor.collect_interval: duration must be greater than zero, got \"0s\""]),
        ("kube_metrics:\n  streaming:\n    queue:\n      max_bytes: 64 Mebibytes\n",
         ["telegen.yaml:4:18: kube_metrics.streaming.queue.max_bytes: invalid size \"64 Mebibytes\": unknown unit \"Mebibytes\" (use bytes or a unit, like 64MiB or 500MB)"]),
        ("kube_metrics:\n  enabled: yes please\n",
         ["telegen.yaml:2:12: kube_metrics.enabled: expected true or false, got \"yes please\""]),
        ("kube_metrics:\n  enabled: \"true\"\n",
         ["telegen.yaml:2:12: kube_metrics.enabled: expected true or false, got \"true\""]),
        ("kube_metrics:\n  enabled: yes\n",
         ["telegen.yaml:2:12: kube_metrics.enabled: expected true or false, got \"yes\""]),
        ("kube_metrics:\n  enabled: !!str true\n",
         ["telegen.yaml:2:12: kube_metrics.enabled: expected true or false, got \"true\""]),
        ("kube_metrics:\n  kube_state:\n    shard: '1'\n",
         ["telegen.yaml:3:12: kube_metrics.kube_state.shard: expected an integer or auto, got \"1\""]),
        ("kube_metrics:\n  kube_state:\n    shard: two\n",
         ["telegen.yaml:3:12: kube_metrics.kube_state.shard: expected an integer or auto, got \"two\""]),
        ("kube_metrics:\n  kube_state:\n    shard: 1\n    total_shards: auto\n",
         ["telegen.yaml:4:19: kube_metrics.kube_state.total_shards: auto needs shard: auto (both come from this pod's StatefulSet)"]),
        ("kube_metrics:\n  kube_state:\n    total_shards: 2\n    node_local_pods: true\n",
         ["telegen.yaml:4:22: kube_metrics.kube_state.node_local_pods: true cannot be combined with total_shards other than 1: a shard serves pods of every node"]),
        ("kube_metrics:\n  kube_state:\n    shard: 3\n    total_shards: 3\n",
         ["telegen.yaml:3:12: kube_metrics.kube_state.shard: shard 3 must be less than total_shards (3)"]),
        ("kube_metrics:\n  kube_state:\n    total_shards: 0\n",
         ["telegen.yaml:3:19: kube_metrics.kube_state.total_shards: 0 is out of range 1...2147483647"]),
        ("kube_metrics:\n  kube_state:\n    resources: pods\n",
         ["telegen.yaml:3:16: kube_metrics.kube_state.resources: expected a list of strings, got \"pods\""]),
        ("kube_metrics:\n  kube_state:\n    node_local_pods: sometimes\n",
         ["telegen.yaml:3:22: kube_metrics.kube_state.node_local_pods: \"sometimes\" is not one of \"auto\", \"true\", \"false\""]),
        ("kube_metrics:\n  listen_address: 9443\n",
         ["telegen.yaml:2:19: kube_metrics.listen_address: invalid address \"9443\" (use HOST:PORT, :PORT or [IPv6]:PORT)"]),
        ("kube_metrics:\n  streaming:\n    endpoint: otel:4317\n    protocol: http/json\n",
         ["telegen.yaml:3:15: kube_metrics.streaming.endpoint: endpoint \"otel:4317\" must start with http:// (plaintext) or https:// (TLS)",
          "telegen.yaml:4:15: kube_metrics.streaming.protocol: \"http/json\" is not supported: Telegen sends OTLP as binary protobuf (use \"http/protobuf\" or \"grpc\")"]),
        ("kube_metrics:\n  streaming:\n    protocol: http\n  logs_streaming:\n    protocol: http/json\n",
         ["telegen.yaml:3:15: kube_metrics.streaming.protocol: \"http\" is not one of \"grpc\", \"http/protobuf\"",
          "telegen.yaml:5:15: kube_metrics.logs_streaming.protocol: \"http/json\" is not supported: Telegen sends OTLP as binary protobuf (use \"http/protobuf\" or \"grpc\")"]),
        ("kube_metrics:\n  logs_streaming:\n    protocol: [grpc]\n",
         ["telegen.yaml:3:15: kube_metrics.logs_streaming.protocol: expected a string, got a list"]),
        ("kube_metrics:\n  streaming:\n    tls:\n      cert_file: /c.pem\n",
         ["telegen.yaml:4:18: kube_metrics.streaming.tls.cert_file: cert_file and key_file must be set together for mutual TLS"]),
        ("kube_metrics:\n  node: [a, b]\n",
         ["telegen.yaml:2:9: kube_metrics.node: expected a mapping, got a list"]),
        ("- just\n- a list\n",
         ["telegen.yaml:1:1: the configuration: expected a mapping, got a list"]),
        ("kube_metrics:\n  node:\n    enabled: true\n    enabled: false\n",
         ["telegen.yaml:3:5: duplicate key \"enabled\""]),
        ("kube_metrics:\n  node:\n  enabled: [\n",
         ["telegen.yaml:4:1: invalid YAML: did not find expected node content"]),
        ("kube_metrics:\n  streaming:\n    headers: {a: [1]}\n",
         ["telegen.yaml:3:18: kube_metrics.streaming.headers: expected string values, got a list"]),
        // Header values are credentials: a wrong type is named, never quoted.
        ("kube_metrics:\n  streaming:\n    headers: \"authorization: Bearer s3cret\"\n",
         ["telegen.yaml:3:14: kube_metrics.streaming.headers: expected a mapping of strings, got a string"]),
        ("kube_metrics:\n  logs_streaming:\n    headers: Bearer s3cret\n",
         ["telegen.yaml:3:14: kube_metrics.logs_streaming.headers: expected a mapping of strings, got a string"]),
        ("kube_metrics:\n  kube_state:\n    metric_allowlist: [a]\n    metric_denylist: [b]\n",
         ["telegen.yaml:4:22: kube_metrics.kube_state.metric_denylist: metric_allowlist and metric_denylist are mutually exclusive"]),
        ("kube_metrics:\n  kube_state:\n    metric_allowlist: [\"kube_pod_(info\"]\n",
         ["telegen.yaml:3:23: kube_metrics.kube_state.metric_allowlist: \"kube_pod_(info\" is not a regular expression"]),
        // Names are checked against the resource registry: a typo is an error, never a no-op.
        ("kube_metrics:\n  kube_state:\n    resources: [pods, deployment, replicasetz, frobnicators]\n",
         ["telegen.yaml:3:23: kube_metrics.kube_state.resources: unknown resource \"deployment\" (did you mean \"deployments\"?)",
          "telegen.yaml:3:35: kube_metrics.kube_state.resources: unknown resource \"replicasetz\" (did you mean \"replicasets\"?)",
          "telegen.yaml:3:48: kube_metrics.kube_state.resources: unknown resource \"frobnicators\""]),
        ("kube_metrics:\n  kube_state:\n    metric_labels_allowlist:\n      pod: [app]\n      \"*\": [team]\n    metric_annotations_allowlist: {nodes: [a], node: [b]}\n",
         ["telegen.yaml:4:7: kube_metrics.kube_state.metric_labels_allowlist: unknown resource \"pod\" (did you mean \"pods\"?)",
          "telegen.yaml:6:48: kube_metrics.kube_state.metric_annotations_allowlist: unknown resource \"node\" (did you mean \"nodes\"?)"]),
        ("kube_metrics:\n  kube_state:\n    metric_opt_in: [kube_pod_nodeselectors, kube_persistentvolume_csi_attributes, kube_pod_nodeselecter, kube_pod_info]\n",
         ["telegen.yaml:3:83: kube_metrics.kube_state.metric_opt_in: unknown opt-in family \"kube_pod_nodeselecter\" (did you mean \"kube_pod_nodeselectors\"?)",
          "telegen.yaml:3:106: kube_metrics.kube_state.metric_opt_in: unknown opt-in family \"kube_pod_info\""]),
        ("kube_metrics:\n  signal_metadata:\n    fields:\n      enable_colour: true\n    extra: 1\n",
         ["telegen.yaml:4:7: unknown key \"enable_colour\" in kube_metrics.signal_metadata.fields",
          "telegen.yaml:5:5: unknown key \"extra\" in kube_metrics.signal_metadata"]),
    ] as [(String, [String])])
    func reportsEachProblemWithItsPosition(yaml: String, expected: [String]) {
        #expect(diagnostics(yaml) == expected)
    }

    @Test func leaderElectionDefaultsAreClientGosAndEveryKeyIsRead() throws {
        let defaults = AgentConfig().kubernetes.leaderElection
        #expect(defaults.enabled == .auto && defaults.leaseName == "telegen" && defaults.namespace.isEmpty)
        #expect(defaults.leaseDuration == .seconds(15) && defaults.renewDeadline == .seconds(10) && defaults.retryPeriod == .seconds(2))
        let parsed = try parse("""
            kubernetes:
              leader_election:
                enabled: true
                namespace: monitoring
                lease_name: telegen-leader
                lease_duration: 30s
                renew_deadline: 20s
                retry_period: 5s
            """).get()
        let election = parsed.config.kubernetes.leaderElection
        #expect(election.enabled == .true && election.namespace == "monitoring" && election.leaseName == "telegen-leader")
        #expect(election.leaseDuration == .seconds(30) && election.renewDeadline == .seconds(20) && election.retryPeriod == .seconds(5))
    }

    /// client-go's constraints: lease_duration > renew_deadline > 1.2 × retry_period.
    @Test(arguments: [
        ("    lease_duration: 10s\n    renew_deadline: 10s\n",
         "telegen.yaml:4:21: kubernetes.leader_election.renew_deadline: lease_duration (10.0 seconds) must be greater than renew_deadline (10.0 seconds)"),
        ("    renew_deadline: 2s\n    retry_period: 2s\n",
         "telegen.yaml:3:21: kubernetes.leader_election.renew_deadline: renew_deadline (2.0 seconds) must be greater than 1.2 × retry_period (2.0 seconds)"),
        ("    lease_name: Telegen_Leader\n",
         "telegen.yaml:3:17: kubernetes.leader_election.lease_name: \"Telegen_Leader\" is not a valid object name (a DNS subdomain: lowercase letters, digits, '-' and '.')"),
        ("    enabled: maybe\n",
         "telegen.yaml:3:14: kubernetes.leader_election.enabled: \"maybe\" is not one of \"auto\", \"true\", \"false\""),
    ])
    func leaderElectionProblemsAreReportedWhereTheyAre(body: String, expected: String) {
        #expect(diagnostics("kubernetes:\n  leader_election:\n" + body) == [expected])
    }

    @Test func leaderElectionCannotBeForcedOnAShard() {
        let yaml = "kubernetes:\n  leader_election:\n    enabled: true\nkube_metrics:\n  kube_state:\n    shard: auto\n    total_shards: auto\n"
        #expect(diagnostics(yaml) == [
            "telegen.yaml:3:14: kubernetes.leader_election.enabled: true cannot be combined with total_shards other than 1: every shard serves its own share",
        ])
    }

    @Test func reportsEveryProblemNotJustTheFirst() {
        let yaml = "kube_metrics:\n  bogus: 1\n  node:\n    collect_interval: fast\n    extra: true\nother: 2\n"
        #expect(diagnostics(yaml).count == 4)
    }

    @Test func invalidUTF8IsReportedWhereItIs() {
        var bytes = Array("kube_metrics:\n  node:\n    rootfs: /ho".utf8)
        bytes += [0xC3, 0x28]
        bytes += Array("st\n".utf8)
        switch ConfigLoader.parse(bytes, file: "t.yaml") {
        case .success: Issue.record("invalid UTF-8 accepted")
        case .failure(let errors): #expect(errors.description == "t.yaml:3:16: the file is not valid UTF-8")
        }
    }

    @Test func scalarsFollowTheYAMLCoreSchema() throws {
        let config = try parse("""
            kubernetes:
              cluster_name: 123
              kubeconfig: "null"
            kube_metrics:
              enabled: True
              kube_state:
                shard: 0x2
                total_shards: 0o10
                node_local_pods: false

            """).get().config
        #expect(config.kubernetes.clusterName == "123")
        #expect(config.kubernetes.kubeconfig == "null")
        #expect(config.kubeMetrics.enabled)
        #expect(config.kubeMetrics.kubeState.shard == .number(2) && config.kubeMetrics.kubeState.totalShards == .number(8))
        #expect(config.kubeMetrics.kubeState.nodeLocalPods == .false)
    }

    @Test func nullValuesMeanDefaults() throws {
        let config = try parse("kubernetes:\n  kubeconfig:\n  cluster_name: ~\nkube_metrics:\n  node:\n").get().config
        #expect(config == AgentConfig())
    }
}

struct ConfigValueTests {
    @Test(arguments: [
        ("10s", Duration.seconds(10)), ("1m30s", .seconds(90)), ("500ms", .milliseconds(500)), ("1.5h", .seconds(5400)),
        ("2h45m", .seconds(9900)), ("0", .zero), ("300us", .microseconds(300)), ("300µs", .microseconds(300)),
        ("1ns", .nanoseconds(1)), ("-1s", .seconds(-1)), (".5s", .milliseconds(500)),
    ])
    func durations(text: String, expected: Duration) throws {
        #expect(try ConfigValues.parseDuration(text).get() == expected)
    }

    @Test(arguments: ["", "10", "s", "10x", "1..5s", "1s2", "ten seconds", "1e3s", "+"])
    func badDurations(text: String) {
        #expect((try? ConfigValues.parseDuration(text).get()) == nil, "\(text)")
    }

    @Test(arguments: [
        ("64MiB", Int64(64 << 20)), ("64Mi", Int64(64 << 20)), ("500MB", Int64(500_000_000)), ("1024", Int64(1024)),
        ("1GiB", Int64(1 << 30)), ("1.5KiB", Int64(1536)), ("2kB", Int64(2000)), ("10 MiB", Int64(10 << 20)),
    ])
    func sizes(text: String, expected: Int64) throws {
        #expect(try ConfigValues.parseByteSize(text).get() == expected)
    }

    @Test(arguments: ["", "MiB", "64 Mebibytes", "1.3B", "-5", "1e30GiB"])
    func badSizes(text: String) {
        #expect((try? ConfigValues.parseByteSize(text).get()) == nil, "\(text)")
    }

    @Test(arguments: [
        (":9443", ListenAddress(host: nil, port: 9443)), ("0.0.0.0:1", ListenAddress(host: "0.0.0.0", port: 1)),
        ("[::1]:9443", ListenAddress(host: "::1", port: 9443)), ("localhost:80", ListenAddress(host: "localhost", port: 80)),
    ])
    func listenAddresses(text: String, expected: ListenAddress) {
        #expect(ListenAddress(parsing: text) == expected)
        #expect(ListenAddress(parsing: text)?.description == text)
    }

    @Test(arguments: ["9443", ":", ":99999", "::1:9443", "[::1]", "host:port", ""])
    func badListenAddresses(text: String) {
        #expect(ListenAddress(parsing: text) == nil)
    }
}

struct OTLPEnvironmentTests {
    @Test func environmentFillsWhatTheFileLeftUnset() {
        var config = AgentConfig()
        let warnings = OTLPEnvironment([
            "OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4317",
            "OTEL_EXPORTER_OTLP_INSECURE": "true",
            "OTEL_EXPORTER_OTLP_HEADERS": "X-Tenant=acme, authorization=Bearer%20abc",
            "OTEL_EXPORTER_OTLP_COMPRESSION": "none",
            "OTEL_EXPORTER_OTLP_TIMEOUT": "2500",
            "OTEL_EXPORTER_OTLP_CERTIFICATE": "/etc/ca.pem",
            "OTEL_EXPORTER_OTLP_CLIENT_KEY": "/etc/key.pem",
            "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE": "/etc/cert.pem",
            "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE": "Delta",
            "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": "https://logs:4317",
            "OTEL_RESOURCE_ATTRIBUTES": "k8s.cluster.name=prod%2Ceu,team=core",
        ]).apply(to: &config, explicitKeys: [])
        #expect(warnings.isEmpty)
        let streaming = config.kubeMetrics.streaming
        #expect(streaming.endpoint == "http://collector:4317")
        #expect(streaming.headers == ["x-tenant": "acme", "authorization": "Bearer abc"])
        #expect(streaming.compression == StreamingConfig.Compression.none)
        #expect(streaming.timeout == .milliseconds(2500))
        #expect(streaming.tls == StreamingConfig.TLS(caFile: "/etc/ca.pem", certFile: "/etc/cert.pem", keyFile: "/etc/key.pem"))
        #expect(streaming.temporality == .delta)
        // A per-signal endpoint, used as given (ExportTarget).
        #expect(config.kubeMetrics.logsStreaming.signalEndpoint == "https://logs:4317")
        #expect(config.kubeMetrics.logsStreaming.endpoint == "")
        #expect(config.kubernetes.clusterName == "prod,eu")
    }

    @Test func explicitConfigWins() throws {
        let parsed = try ConfigLoader.parse(Array("""
            kubernetes:
              cluster_name: from-file
            kube_metrics:
              streaming:
                endpoint: https://file:4317
                timeout: 3s

            """.utf8), file: "t.yaml").get()
        var config = parsed.config
        let explicit = parsed.explicitKeys
        _ = OTLPEnvironment([
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://env:4317",
            "OTEL_EXPORTER_OTLP_TIMEOUT": "9000",
            "OTEL_EXPORTER_OTLP_COMPRESSION": "none",
            "OTEL_RESOURCE_ATTRIBUTES": "k8s.cluster.name=from-env",
        ]).apply(to: &config, explicitKeys: explicit)
        #expect(config.kubeMetrics.streaming.endpoint == "https://file:4317")
        #expect(config.kubeMetrics.streaming.timeout == .seconds(3))
        #expect(config.kubeMetrics.streaming.compression == StreamingConfig.Compression.none)  // not in the file
        #expect(config.kubernetes.clusterName == "from-env" || config.kubernetes.clusterName == "from-file")
        #expect(config.kubernetes.clusterName == "from-file")
    }

    @Test func perSignalVariablesBeatGenericOnesAndHTTPGetsItsPath() {
        var config = AgentConfig()
        _ = OTLPEnvironment([
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
            "OTEL_EXPORTER_OTLP_ENDPOINT": "https://otel:4318",
            "OTEL_EXPORTER_OTLP_COMPRESSION": "gzip",
            "OTEL_EXPORTER_OTLP_METRICS_COMPRESSION": "none",
        ]).apply(to: &config, explicitKeys: [])
        #expect(config.kubeMetrics.streaming.transportProtocol == .httpProtobuf)
        // The generic endpoint stays a base URL, shared by both signals; each gets its path.
        #expect(config.kubeMetrics.streaming.endpoint == "https://otel:4318")
        #expect(ExportTarget.metrics(config.kubeMetrics)?.url == "https://otel:4318/v1/metrics")
        #expect(ExportTarget.logs(config.kubeMetrics)?.url == "https://otel:4318/v1/logs")
        #expect(config.kubeMetrics.streaming.compression == StreamingConfig.Compression.none)

        var grpc = AgentConfig()
        _ = OTLPEnvironment(["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "https://m:4317/custom"]).apply(to: &grpc, explicitKeys: [])
        #expect(grpc.kubeMetrics.streaming.signalEndpoint == "https://m:4317/custom")
        #expect(ExportTarget.metrics(grpc.kubeMetrics)?.url == "https://m:4317/custom")
    }

    /// Header values are credentials: a malformed variable is named, and the bad item
    /// placed by position and key, but no value is repeated.
    @Test(arguments: [
        "authorization Bearer SECRET-h3ader",                 // no '='
        "x-tenant=acme,authorization=Bearer%zzSECRET-h3ader",  // a bad escape in the value
        "x-tenant=acme, =SECRET-h3ader",                      // an empty key
        "SECRET-h3ader%=x",                                   // a bad escape in the key
    ])
    func malformedHeadersAreIgnoredWithoutRepeatingThem(headers: String) {
        for variable in ["OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_METRICS_HEADERS", "OTEL_EXPORTER_OTLP_LOGS_HEADERS"] {
            var config = AgentConfig()
            let warnings = OTLPEnvironment([variable: headers]).apply(to: &config, explicitKeys: [])
            #expect(config == AgentConfig())
            #expect(!warnings.isEmpty && warnings.allSatisfy { $0.hasPrefix("\(variable) ignored: ") }, "\(warnings)")
            #expect(!warnings.contains { $0.contains("SECRET") || $0.contains("h3ader") }, "\(warnings)")
        }
    }

    @Test func invalidValuesAreIgnoredWithAWarning() {
        var config = AgentConfig()
        let warnings = OTLPEnvironment([
            "OTEL_EXPORTER_OTLP_TIMEOUT": "soon",
            "OTEL_EXPORTER_OTLP_COMPRESSION": "brotli",
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",
            "OTEL_EXPORTER_OTLP_HEADERS": "novalue",
            "OTEL_RESOURCE_ATTRIBUTES": "k8s.cluster.name=%zz",
        ]).apply(to: &config, explicitKeys: [])
        #expect(config == AgentConfig())
        #expect(warnings.count == 5)
        #expect(warnings.contains("OTEL_EXPORTER_OTLP_TIMEOUT=soon ignored: Telegen needs a positive number of milliseconds"))
    }
}

/// `shard` / `total_shards` resolved against the pod's environment.
struct ShardAssignmentTests {
    private func config(shard: KubeStateConfig.ShardSetting, total: KubeStateConfig.ShardSetting) -> KubeStateConfig {
        var config = KubeStateConfig()
        config.shard = shard
        config.totalShards = total
        return config
    }

    @Test func unshardedIsNil() throws {
        #expect(try ShardAssignment.resolve(KubeStateConfig(), environment: [:]) == nil)
    }

    @Test func fixedNumbers() throws {
        #expect(try ShardAssignment.resolve(config(shard: .number(2), total: .number(3)), environment: [:])
            == ShardConfiguration(shard: 2, total: .fixed(3)))
    }

    @Test func autoFollowsThePodsStatefulSet() throws {
        let resolved = try ShardAssignment.resolve(config(shard: .auto, total: .auto),
                                                   environment: ["POD_NAME": "telegen-kube-state-12", "POD_NAMESPACE": "monitoring"],
                                                   namespaceFile: "/nonexistent")
        #expect(resolved == ShardConfiguration(shard: 12, total: .statefulSet(namespace: "monitoring", name: "telegen-kube-state")))
    }

    @Test func namespaceFromTheServiceAccount() throws {
        let scratch = try TemporaryDirectory()
        let file = try scratch.write("namespace", "observability")
        let resolved = try ShardAssignment.resolve(config(shard: .auto, total: .auto), environment: ["POD_NAME": "ksm-0"], namespaceFile: file)
        #expect(resolved == ShardConfiguration(shard: 0, total: .statefulSet(namespace: "observability", name: "ksm")))
    }

    @Test(arguments: [
        ([:], "kube_metrics.kube_state.shard: auto needs POD_NAME (the pod's name, from the downward API)"),
        (["POD_NAME": "telegen-7d9f8-abcde"], "kube_metrics.kube_state.shard: auto needs POD_NAME to be a StatefulSet pod's name, <statefulset>-<ordinal>; got \"telegen-7d9f8-abcde\""),
        (["POD_NAME": "-3"], "kube_metrics.kube_state.shard: auto needs POD_NAME to be a StatefulSet pod's name, <statefulset>-<ordinal>; got \"-3\""),
        (["POD_NAME": "telegen-99999999999"], "kube_metrics.kube_state.shard: auto needs POD_NAME to be a StatefulSet pod's name, <statefulset>-<ordinal>; got \"telegen-99999999999\""),
        (["POD_NAME": "telegen-3"], "kube_metrics.kube_state.shard: ordinal 3 (from POD_NAME) must be less than total_shards (3)"),
    ])
    func autoShardProblems(environment: [String: String], message: String) {
        #expect(throws: ShardAssignment.Problem.self) { try ShardAssignment.resolve(config(shard: .auto, total: .number(3)), environment: environment) }
        do {
            _ = try ShardAssignment.resolve(config(shard: .auto, total: .number(3)), environment: environment)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func autoTotalNeedsANamespace() {
        #expect(throws: ShardAssignment.Problem(key: "kube_metrics.kube_state.total_shards",
                                                message: "auto needs POD_NAMESPACE (the pod's namespace, from the downward API)")) {
            try ShardAssignment.resolve(config(shard: .auto, total: .auto), environment: ["POD_NAME": "ksm-1"], namespaceFile: "/nonexistent")
        }
    }

    /// Through the loader: the environment is checked with the file, and a shard with the
    /// container collector on is refused.
    @Test func loaderChecksTheCombination() throws {
        let scratch = try TemporaryDirectory()
        let path = try scratch.write("telegen.yaml", "kube_metrics:\n  kube_state:\n    shard: auto\n    total_shards: 2\n")
        guard case .failure(let errors) = ConfigLoader.load(explicitPath: path, environment: ["POD_NAME": "web-5"]) else {
            Issue.record("accepted")
            return
        }
        #expect(errors.diagnostics.map(\.description) == [
            "\(path):3:12: kube_metrics.kube_state.shard: ordinal 5 (from POD_NAME) must be less than total_shards (2)",
            "\(path):4:19: kube_metrics.cadvisor.enabled: a sharded replica runs kube-state only; the container collector belongs to the DaemonSet (set it to false)",
        ])
        let good = try scratch.write("good.yaml", "kube_metrics:\n  cadvisor: {enabled: false}\n  kube_state:\n    shard: auto\n    total_shards: 2\n")
        guard case .success(let loaded) = ConfigLoader.load(explicitPath: good, environment: ["POD_NAME": "web-1"]) else {
            Issue.record("refused")
            return
        }
        #expect(loaded.config.kubeMetrics.kubeState.shard == .auto)
    }
}
