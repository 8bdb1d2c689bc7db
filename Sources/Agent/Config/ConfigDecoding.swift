import KubeState
import KubeWatch
/// Reads each section of `telegen.yaml` into the typed configuration. The key
/// names here are the contract in docs/configuration.md; a key not read here is
/// reported unknown.
extension AgentConfig {
    init(reading root: ConfigSection) {
        let kubeMetrics = root.section("kube_metrics")
        self.kubeMetrics = KubeMetricsConfig(reading: kubeMetrics)
        kubeMetrics.finish()
        let kubernetes = root.section("kubernetes")
        let leaderElection = kubernetes.section("leader_election")
        self.kubernetes = KubernetesConfig(
            enable: kubernetes.bool("enable", default: true),
            kubeconfig: kubernetes.string("kubeconfig", default: ""),
            clusterName: kubernetes.string("cluster_name", default: ""),
            leaderElection: LeaderElectionConfig(reading: leaderElection))
        let state = self.kubeMetrics.kubeState
        // Targets come from the watch of this node's pods: nothing else lists them.
        if self.kubeMetrics.appMetrics.enabled {
            let apps = kubeMetrics.section("app_metrics")
            if !self.kubernetes.enable {
                apps.problem(at: "enabled", "needs the node-local pod watch, which kubernetes.enable: false turns off")
            } else if !self.kubeMetrics.enabled {
                apps.problem(at: "enabled", "needs the node-local pod watch, which kube_metrics.enabled: false turns off")
            } else if state.enabled && state.isSharded {
                apps.problem(at: "enabled", "needs every pod of this node; a sharded replica watches only its share (enable it on the DaemonSet)")
            }
        }
        if self.kubernetes.leaderElection.enabled == .true && state.enabled && state.isSharded {
            leaderElection.problem(at: "enabled", "true cannot be combined with total_shards other than 1: every shard serves its own share")
        }
        kubernetes.finish()
        root.finish()
    }
}

extension LeaderElectionConfig {
    init(reading section: ConfigSection) {
        let defaults = LeaderElectionConfig()
        enabled = section.choice("enabled", default: defaults.enabled)
        namespace = section.string("namespace", default: defaults.namespace)
        leaseName = section.string("lease_name", default: defaults.leaseName)
        if !Self.isDNSSubdomain(leaseName) {
            section.problem(at: "lease_name", "\"\(leaseName)\" is not a valid object name (a DNS subdomain: lowercase letters, digits, '-' and '.')")
        }
        leaseDuration = section.duration("lease_duration", default: defaults.leaseDuration)
        renewDeadline = section.duration("renew_deadline", default: defaults.renewDeadline)
        retryPeriod = section.duration("retry_period", default: defaults.retryPeriod)
        if let problem = LeaderElectionSettings.problem(leaseDuration: leaseDuration, renewDeadline: renewDeadline, retryPeriod: retryPeriod) {
            section.problem(at: "renew_deadline", problem)
        }
        section.finish()
    }

    static func isDNSSubdomain(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        let alphanumeric: (UInt8) -> Bool = { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            let label = Array(label.utf8)
            guard let first = label.first, let last = label.last, label.count <= 63 else { return false }
            return alphanumeric(first) && alphanumeric(last) && label.allSatisfy { alphanumeric($0) || $0 == 0x2D }
        }
    }
}

extension KubeMetricsConfig {
    init(reading section: ConfigSection) {
        let defaults = KubeMetricsConfig()
        enabled = section.bool("enabled", default: defaults.enabled)
        autoDetect = section.bool("auto_detect", default: defaults.autoDetect)
        let address = section.string("listen_address", default: defaults.listenAddress.description)
        if let parsed = ListenAddress(parsing: address) {
            listenAddress = parsed
        } else {
            listenAddress = defaults.listenAddress
            section.problem(at: "listen_address", "invalid address \"\(address)\" (use HOST:PORT, :PORT or [IPv6]:PORT)")
        }
        separateEndpoints = section.bool("separate_endpoints", default: defaults.separateEndpoints)
        server = HTTPServerConfig(reading: section.section("server"))
        kubeState = KubeStateConfig(reading: section.section("kube_state"))
        cadvisor = CAdvisorConfig(reading: section.section("cadvisor"))
        node = NodeConfig(reading: section.section("node"))
        streaming = StreamingConfig(reading: section.section("streaming"))
        logsStreaming = LogsStreamingConfig(reading: section.section("logs_streaming"))
        appMetrics = AppMetricsConfig(reading: section.section("app_metrics"))
        signalMetadata = SignalMetadataConfig(reading: section.section("signal_metadata"))
    }
}

extension HTTPServerConfig {
    init(reading section: ConfigSection) {
        let defaults = HTTPServerConfig()
        maxConnections = section.int("max_connections", default: defaults.maxConnections, range: 1...65_536)
        idleTimeout = section.duration("idle_timeout", default: defaults.idleTimeout)
        readHeaderTimeout = section.duration("read_header_timeout", default: defaults.readHeaderTimeout)
        let headerBytes = section.byteSize("max_header_bytes", default: Int64(defaults.maxHeaderBytes))
        if (1 << 10...1 << 20).contains(headerBytes) {
            maxHeaderBytes = Int(headerBytes)
        } else {
            maxHeaderBytes = defaults.maxHeaderBytes
            section.problem(at: "max_header_bytes", "\(headerBytes) bytes is outside 1KiB...1MiB")
        }
        section.finish()
    }
}

extension KubeStateConfig {
    init(reading section: ConfigSection) {
        let defaults = KubeStateConfig()
        enabled = section.bool("enabled", default: defaults.enabled)
        let known = KubeResources.names
        let listed = section.markedStringList("resources")
        for (name, mark) in listed where !known.contains(name) {
            section.unknownName(name, at: mark, in: "resources", what: "resource", known: known)
        }
        resources = listed.map(\.value).filter(known.contains)
        namespaces = section.stringList("namespaces")
        namespacesExclude = section.stringList("namespaces_exclude")
        metricAllowlist = section.stringList("metric_allowlist")
        metricDenylist = section.stringList("metric_denylist")
        metricOptIn = section.stringList("metric_opt_in")
        metricLabelsAllowlist = section.stringListMap("metric_labels_allowlist")
        metricAnnotationsAllowlist = section.stringListMap("metric_annotations_allowlist")
        for key in ["metric_labels_allowlist", "metric_annotations_allowlist"] {
            for (name, mark) in section.markedKeys(key) where name != "*" && !known.contains(name) {
                section.unknownName(name, at: mark, in: key, what: "resource", known: known)
            }
        }
        resyncPeriod = section.duration("resync_period", default: defaults.resyncPeriod)
        shard = section.numberOrAuto("shard", default: defaults.shard, range: 0...Int(Int32.max))
        totalShards = section.numberOrAuto("total_shards", default: defaults.totalShards, range: 1...Int(Int32.max))
        switch (shard, totalShards) {
        case (.number(let shard), .number(let total)) where shard >= total:
            section.problem(at: "shard", "shard \(shard) must be less than total_shards (\(total))")
        case (.number, .auto):
            // The StatefulSet to follow is the one whose ordinal `shard: auto` reads.
            section.problem(at: "total_shards", "auto needs shard: auto (both come from this pod's StatefulSet)")
        default:
            break
        }
        if !metricAllowlist.isEmpty && !metricDenylist.isEmpty {
            section.problem(at: "metric_denylist", "metric_allowlist and metric_denylist are mutually exclusive")
        }
        for (key, patterns) in [("metric_allowlist", metricAllowlist), ("metric_denylist", metricDenylist)] {
            for pattern in patterns where (try? Regex(pattern)) == nil {
                section.problem(at: key, "\"\(pattern)\" is not a regular expression")
            }
        }
        // Opt-in entries are kube-state-metrics' regular expressions, matched anywhere in
        // a family name; one that selects no opt-in family is a mistake, not a no-op.
        let optInFamilies = KubeResources.optInFamilies
        for (pattern, mark) in section.markedStringList("metric_opt_in") {
            guard let regex = try? Regex(pattern) else {
                section.problem(at: "metric_opt_in", "\"\(pattern)\" is not a regular expression")
                continue
            }
            if !optInFamilies.contains(where: { $0.firstMatch(of: regex) != nil }) {
                section.unknownName(pattern, at: mark, in: "metric_opt_in", what: "opt-in family", known: optInFamilies)
            }
        }
        // `auto`, or a plain YAML true/false.
        nodeLocalPods = section.choice("node_local_pods", default: defaults.nodeLocalPods)
        if nodeLocalPods == .true && isSharded {
            section.problem(at: "node_local_pods", "true cannot be combined with total_shards other than 1: a shard serves pods of every node")
        }
        section.finish()
    }
}

extension CAdvisorConfig {
    init(reading section: ConfigSection) {
        let defaults = CAdvisorConfig()
        enabled = section.bool("enabled", default: defaults.enabled)
        cgroupRoot = section.string("cgroup_root", default: defaults.cgroupRoot)
        procRoot = section.string("proc_root", default: defaults.procRoot)
        collectInterval = section.duration("collect_interval", default: defaults.collectInterval)
        diskIOEnabled = section.bool("disk_io_enabled", default: defaults.diskIOEnabled)
        networkEnabled = section.bool("network_enabled", default: defaults.networkEnabled)
        filesKeptOpen = section.int("files_kept_open", default: defaults.filesKeptOpen, range: 0...1_000_000)
        section.finish()
    }
}

extension NodeConfig {
    init(reading section: ConfigSection) {
        let defaults = NodeConfig()
        enabled = section.bool("enabled", default: defaults.enabled)
        procRoot = section.string("proc_root", default: defaults.procRoot)
        sysRoot = section.string("sys_root", default: defaults.sysRoot)
        rootfs = section.string("rootfs", default: defaults.rootfs)
        collectInterval = section.duration("collect_interval", default: defaults.collectInterval)
        section.finish()
    }
}

extension StreamingConfig {
    init(reading section: ConfigSection) {
        let defaults = StreamingConfig()
        enabled = section.bool("enabled", default: defaults.enabled)
        endpoint = section.string("endpoint", default: defaults.endpoint)
        if !endpoint.isEmpty && !endpoint.hasPrefix("http://") && !endpoint.hasPrefix("https://") {
            section.problem(at: "endpoint", "endpoint \"\(EndpointURL.redactedEndpoint(endpoint))\" must start with http:// (plaintext) or https:// (TLS)")
        }
        transportProtocol = TransportProtocol.read(from: section, choices: "\"grpc\", \"http/protobuf\"") ?? defaults.transportProtocol
        headers = section.stringMap("headers")
        compression = section.choice("compression", default: defaults.compression)
        timeout = section.duration("timeout", default: defaults.timeout)
        interval = section.duration("interval", default: defaults.interval)
        temporality = section.choice("temporality", default: defaults.temporality)

        tls = TLS(reading: section.section("tls"))
        queue = Queue(reading: section.section("queue"), default: defaults.queue)

        let retrySection = section.section("retry")
        retry = Retry(
            initialInterval: retrySection.duration("initial_interval", default: defaults.retry.initialInterval),
            multiplier: retrySection.number("multiplier", default: defaults.retry.multiplier, minimum: 1),
            maxInterval: retrySection.duration("max_interval", default: defaults.retry.maxInterval),
            maxElapsedTime: retrySection.duration("max_elapsed_time", default: defaults.retry.maxElapsedTime))
        retrySection.finish()
        section.finish()
    }
}

extension StreamingConfig.TLS {
    init(reading section: ConfigSection) {
        self.init(
            caFile: section.string("ca_file", default: ""),
            certFile: section.string("cert_file", default: ""),
            keyFile: section.string("key_file", default: ""),
            serverName: section.string("server_name", default: ""),
            insecureSkipVerify: section.bool("insecure_skip_verify", default: false))
        if certFile.isEmpty != keyFile.isEmpty {
            section.problem(at: certFile.isEmpty ? "key_file" : "cert_file",
                            "cert_file and key_file must be set together for mutual TLS")
        }
        section.finish()
    }
}

extension StreamingConfig.Queue {
    init(reading section: ConfigSection, default defaults: StreamingConfig.Queue) {
        self.init(
            maxBytes: section.byteSize("max_bytes", default: defaults.maxBytes),
            directory: section.string("directory", default: defaults.directory))
        if maxBytes < 1 << 20 {
            section.problem(at: "max_bytes", "queue of \(maxBytes) bytes is below the 1MiB minimum")
        }
        section.finish()
    }
}

extension LogsStreamingConfig {
    init(reading section: ConfigSection) {
        let defaults = LogsStreamingConfig()
        enabled = section.bool("enabled", default: false)
        endpoint = section.string("endpoint", default: "")
        if !endpoint.isEmpty && !endpoint.hasPrefix("http://") && !endpoint.hasPrefix("https://") {
            section.problem(at: "endpoint", "endpoint \"\(EndpointURL.redactedEndpoint(endpoint))\" must start with http:// (plaintext) or https:// (TLS)")
        }
        // Unset (or empty) push settings are streaming's.
        transportProtocol = StreamingConfig.TransportProtocol.read(from: section, choices: "\"grpc\", \"http/protobuf\" or \"\" (streaming's)")
        // Unset, null or empty: streaming's (a logs backend without headers while the
        // metrics one has some is the rare case it cannot say).
        let ownHeaders = section.stringMap("headers")
        headers = ownHeaders.isEmpty ? nil : ownHeaders
        if !section.string("compression", default: "").isEmpty {
            compression = section.choice("compression", default: StreamingConfig.Compression.gzip)
        }
        let ownTLS = StreamingConfig.TLS(reading: section.section("tls"))
        tls = ownTLS == StreamingConfig.TLS() ? nil : ownTLS
        namespaces = section.stringList("namespaces")
        namespacesExclude = section.stringList("namespaces_exclude")
        types = section.stringList("types")
        involvedKinds = section.stringList("involved_kinds")
        reasonsExclude = section.stringList("reasons_exclude")
        maxMessageBytes = section.int("max_message_bytes", default: defaults.maxMessageBytes, range: 64...1 << 20)
        rateLimit = section.number("rate_limit", default: defaults.rateLimit, minimum: 1)
        checkpointFile = section.string("checkpoint_file", default: "")
        queue = StreamingConfig.Queue(reading: section.section("queue"), default: defaults.queue)
        if !namespaces.isEmpty && !namespacesExclude.isEmpty {
            section.problem(at: "namespaces_exclude", "set namespaces or namespaces_exclude, not both")
        }
        section.finish()
    }
}

extension AppMetricsConfig {
    init(reading section: ConfigSection) {
        let defaults = AppMetricsConfig()
        enabled = section.bool("enabled", default: defaults.enabled)
        let prefixes = section.markedStringList("annotation_prefixes")
        annotationPrefixes = section.mark(of: "annotation_prefixes") == nil ? defaults.annotationPrefixes : prefixes.map(\.value)
        for (prefix, mark) in prefixes where !Self.isAnnotationPrefix(prefix) {
            section.unknownName(prefix, at: mark, in: "annotation_prefixes", what: "annotation prefix (a DNS subdomain like prometheus.io)",
                                known: defaults.annotationPrefixes)
        }
        if enabled && annotationPrefixes.isEmpty {
            section.problem(at: "annotation_prefixes", "at least one prefix is needed to find targets")
        }
        interval = section.duration("interval", default: defaults.interval)
        timeout = section.duration("timeout", default: defaults.timeout)
        if timeout > interval {
            // At whichever of the two the file set (the timeout when both).
            section.problem(at: section.mark(of: "timeout") != nil ? "timeout" : "interval",
                            "timeout must not be longer than interval: a scrape must end before the next one starts")
        }
        sampleLimit = section.int("sample_limit", default: defaults.sampleLimit, range: 0...Int(Int32.max))
        bodySizeLimit = section.byteSize("body_size_limit", default: defaults.bodySizeLimit)
        if bodySizeLimit < 1024 {
            section.problem(at: "body_size_limit", "\(bodySizeLimit) bytes is below the 1KiB minimum")
        }
        namespaces = section.stringList("namespaces")
        namespacesExclude = section.stringList("namespaces_exclude")
        if !namespaces.isEmpty && !namespacesExclude.isEmpty {
            section.problem(at: "namespaces_exclude", "set namespaces or namespaces_exclude, not both")
        }
        maxConcurrentScrapes = section.int("max_concurrent_scrapes", default: defaults.maxConcurrentScrapes, range: 1...1024)
        maxSeries = section.int("max_series", default: defaults.maxSeries, range: 1...Int(Int32.max))
        caFile = section.string("ca_file", default: defaults.caFile)
        tlsInsecureSkipVerify = section.bool("tls_insecure_skip_verify", default: defaults.tlsInsecureSkipVerify)
        section.finish()
    }

    /// An annotation key's prefix: a DNS subdomain (lowercase letters, digits, `-`, `.`).
    static func isAnnotationPrefix(_ prefix: String) -> Bool {
        LeaderElectionConfig.isDNSSubdomain(prefix)
    }
}

extension StreamingConfig.TransportProtocol {
    /// The `protocol` key of a streaming section; nil when it is absent, empty (the
    /// default, or streaming's for logs) or invalid, which is reported. `http/json` is a
    /// valid OTLP protocol that Telegen does not speak, so it gets a message of its own
    /// rather than "not one of".
    static func read(from section: ConfigSection, choices: String) -> Self? {
        let text = section.string("protocol", default: "")
        guard !text.isEmpty else { return nil }
        if let value = Self(rawValue: text) { return value }
        if text == "http/json" {
            section.problem(at: "protocol", "\"http/json\" is not supported: Telegen sends OTLP as binary protobuf (use \"http/protobuf\" or \"grpc\")")
        } else {
            section.problem(at: "protocol", "\"\(text)\" is not one of \(choices)")
        }
        return nil
    }
}

extension SignalMetadataConfig {
    init(reading section: ConfigSection) {
        enabled = section.bool("enabled", default: true)
        let fields = section.section("fields")
        enableCategory = fields.bool("enable_category", default: true)
        enableSubcategory = fields.bool("enable_subcategory", default: true)
        enableSourceModule = fields.bool("enable_source_module", default: true)
        enableCollectorType = fields.bool("enable_collector_type", default: true)
        enableDescription = fields.bool("enable_description", default: false)
        fields.finish()
        section.finish()
    }
}
