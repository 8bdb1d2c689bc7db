import KubeState
/// Everything `telegen.yaml` can set, with the defaults docs/configuration.md lists. The property names
/// mirror the YAML keys (snake_case there, camelCase here).
struct AgentConfig: Sendable, Equatable {
    var kubernetes = KubernetesConfig()
    var kubeMetrics = KubeMetricsConfig()
}

struct KubernetesConfig: Sendable, Equatable {
    var enable = true
    var kubeconfig = ""
    var clusterName = ""
    var leaderElection = LeaderElectionConfig()
}

/// `kubernetes.leader_election`: one replica of a DaemonSet, the Lease holder, serves
/// the cluster-wide kube-state kinds and streams events (docs/configuration.md#leader-election).
struct LeaderElectionConfig: Sendable, Equatable {
    enum Enabled: String, Sendable, Equatable, CaseIterable {
        /// On when running in a cluster with node-local pods in effect (a DaemonSet).
        case auto, `true`, `false`
    }

    var enabled = Enabled.auto
    /// Empty: the pod's own namespace (POD_NAMESPACE, else the service account's).
    var namespace = ""
    var leaseName = "telegen"
    var leaseDuration: Duration = .seconds(15)
    var renewDeadline: Duration = .seconds(10)
    var retryPeriod: Duration = .seconds(2)
}

struct KubeMetricsConfig: Sendable, Equatable {
    var enabled = true
    var autoDetect = true
    var listenAddress = ListenAddress(host: nil, port: 9443)
    var separateEndpoints = true
    var server = HTTPServerConfig()
    var kubeState = KubeStateConfig()
    var cadvisor = CAdvisorConfig()
    var node = NodeConfig()
    var streaming = StreamingConfig()
    var logsStreaming = LogsStreamingConfig()
    var appMetrics = AppMetricsConfig()
    var signalMetadata = SignalMetadataConfig()
}

/// `kube_metrics.server`: how much the HTTP endpoint on `listen_address` gives any
/// one client (docs/configuration.md, docs/architecture.md "Serving under abuse").
struct HTTPServerConfig: Sendable, Equatable {
    /// Open connections at most; one more is closed as soon as it is accepted.
    var maxConnections = 256
    /// A connection on which nothing moved either way for this long is closed.
    var idleTimeout: Duration = .seconds(120)
    /// A request's line and headers must arrive within this long of its first byte
    /// (of the connection, for its first request).
    var readHeaderTimeout: Duration = .seconds(10)
    /// A request's line and headers together, in bytes, at most.
    var maxHeaderBytes = 64 << 10
}

struct KubeStateConfig: Sendable, Equatable {
    enum NodeLocalPods: String, Sendable, Equatable, CaseIterable {
        case auto, `true`, `false`
    }

    /// `shard` / `total_shards`: a number, or `auto` (from the pod's StatefulSet).
    enum ShardSetting: Sendable, Equatable {
        case number(Int)
        case auto
    }

    var enabled = true
    var resources: [String] = []
    var namespaces: [String] = []
    var namespacesExclude: [String] = []
    var metricAllowlist: [String] = []
    var metricDenylist: [String] = []
    var metricOptIn: [String] = []
    var metricLabelsAllowlist: [String: [String]] = [:]
    var metricAnnotationsAllowlist: [String: [String]] = [:]
    var resyncPeriod: Duration = .seconds(300)
    var shard = ShardSetting.number(0)
    var totalShards = ShardSetting.number(1)
    var nodeLocalPods = NodeLocalPods.auto

    /// The kinds served: those `resources` names, or kube-state-metrics' default set
    /// when it names none.
    var effectiveResources: [String] {
        resources.isEmpty ? KubeResources.defaultNames : resources
    }

    /// Whether this replica may serve only part of the objects.
    var isSharded: Bool { totalShards != .number(1) }
}

struct CAdvisorConfig: Sendable, Equatable {
    var enabled = true
    var cgroupRoot = "/sys/fs/cgroup"
    var procRoot = "/proc"
    var collectInterval: Duration = .seconds(10)
    var diskIOEnabled = true
    var networkEnabled = true
    /// Cgroup files kept open between cycles, at most (0: none); each pins kernel memory.
    var filesKeptOpen = 0
}

struct NodeConfig: Sendable, Equatable {
    var enabled = true
    var procRoot = "/proc"
    var sysRoot = "/sys"
    var rootfs = "/"
    var collectInterval: Duration = .seconds(10)
}

struct StreamingConfig: Sendable, Equatable {
    enum TransportProtocol: String, Sendable, Equatable, CaseIterable {
        case grpc
        case httpProtobuf = "http/protobuf"
    }

    enum Compression: String, Sendable, Equatable, CaseIterable {
        case gzip, none
    }

    enum Temporality: String, Sendable, Equatable, CaseIterable {
        case cumulative, delta
    }

    struct TLS: Sendable, Equatable {
        var caFile = ""
        var certFile = ""
        var keyFile = ""
        var serverName = ""
        var insecureSkipVerify = false
    }

    struct Queue: Sendable, Equatable {
        var maxBytes: Int64 = 64 << 20
        var directory = ""
    }

    /// Backoff for failed exports; names and defaults are the OpenTelemetry Collector's
    /// `retry_on_failure` (docs/configuration.md, `streaming.retry`).
    struct Retry: Sendable, Equatable {
        var initialInterval: Duration = .seconds(5)
        var multiplier = 1.5
        var maxInterval: Duration = .seconds(30)
        var maxElapsedTime: Duration = .seconds(300)
    }

    var enabled = false
    /// The server (gRPC), or the base URL the signal's path is appended to (OTLP/HTTP).
    var endpoint = ""
    /// `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`: the whole URL, used as given whatever the
    /// protocol; no YAML key sets it. `ExportTarget` decides which of the two applies.
    var signalEndpoint = ""
    var transportProtocol = TransportProtocol.grpc
    var headers: [String: String] = [:]
    var compression = Compression.gzip
    var timeout: Duration = .seconds(10)
    var interval: Duration = .seconds(30)
    var temporality = Temporality.cumulative
    var tls = TLS()
    var queue = Queue()
    var retry = Retry()
}

/// `kube_metrics.logs_streaming`: Kubernetes events as OTLP logs. Where to send them
/// comes from `streaming` unless set here (`exporter(inheriting:)`).
struct LogsStreamingConfig: Sendable, Equatable {
    var enabled = false
    /// Empty: streaming's. Like streaming's, a base URL for OTLP/HTTP.
    var endpoint = ""
    /// `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT`: the whole URL, used as given (no YAML key).
    var signalEndpoint = ""
    /// Nil: inherited from streaming.
    var transportProtocol: StreamingConfig.TransportProtocol?
    var headers: [String: String]?
    var compression: StreamingConfig.Compression?
    var tls: StreamingConfig.TLS?
    var namespaces: [String] = []
    var namespacesExclude: [String] = []
    var types: [String] = []
    var involvedKinds: [String] = []
    var reasonsExclude: [String] = []
    var maxMessageBytes = 4096
    var rateLimit = 500.0
    var checkpointFile = ""
    var queue = StreamingConfig.Queue(maxBytes: 16 << 20, directory: "")

    /// The push settings for the logs exporter: streaming's, with what is set here
    /// in their place (the metrics' queue is never shared).
    func exporter(inheriting streaming: StreamingConfig) -> StreamingConfig {
        var settings = streaming
        if !endpoint.isEmpty { settings.endpoint = endpoint }
        if let transportProtocol { settings.transportProtocol = transportProtocol }
        if let headers { settings.headers = headers }
        if let compression { settings.compression = compression }
        if let tls { settings.tls = tls }
        settings.queue = queue
        return settings
    }
}

/// `kube_metrics.app_metrics`: scrape the annotated pods of this node and push their
/// metrics over OTLP (docs/apps.md).
struct AppMetricsConfig: Sendable, Equatable {
    var enabled = false
    /// `<prefix>/scrape`, `/port`, `/path`, `/scheme`, tried in this order.
    var annotationPrefixes = ["prometheus.io", "victoriametrics.com"]
    var interval: Duration = .seconds(30)
    var timeout: Duration = .seconds(10)
    /// Samples per scrape (0: none); over it the scrape fails whole.
    var sampleLimit = 50_000
    /// Bytes of (decompressed) body per scrape; reading stops beyond it.
    var bodySizeLimit: Int64 = 16 << 20
    var namespaces: [String] = []
    var namespacesExclude: [String] = []
    /// Scrapes in flight at once, across every target.
    var maxConcurrentScrapes = 8
    /// Series held across every target; a scrape that would go over it is dropped.
    var maxSeries = 200_000
    /// Empty: the service account's CA (the cluster CA), as in-cluster API access uses.
    var caFile = ""
    var tlsInsecureSkipVerify = false
}

struct SignalMetadataConfig: Sendable, Equatable {
    var enabled = true
    var enableCategory = true
    var enableSubcategory = true
    var enableSourceModule = true
    var enableCollectorType = true
    var enableDescription = false
}

/// `listen_address`: `:9443`, `0.0.0.0:9443`, `127.0.0.1:9443` or `[::1]:9443`.
/// A missing host means every interface, as in Go's net.Listen.
struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    var host: String?
    var port: Int

    init(host: String?, port: Int) {
        self.host = host
        self.port = port
    }

    /// Nil when the text is not HOST:PORT with a port from 0 to 65535.
    init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        guard let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        if host.hasPrefix("[") {
            guard host.hasSuffix("]"), host.count > 2 else { return nil }
            host = String(host.dropFirst().dropLast())
        } else if host.contains(":") {
            return nil  // an IPv6 address needs brackets
        }
        self.init(host: host.isEmpty ? nil : host, port: port)
    }

    var description: String {
        guard let host else { return ":\(port)" }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
