/// Which pods are scrape targets, and how (docs/apps.md, "Discovery"): a pod whose
/// `<prefix>/scrape` annotation is `"true"` for one of `annotationPrefixes` (the first
/// such prefix also supplies `port`, `path` and `scheme`), that is `Running` with a pod
/// IP, in a namespace the filters allow. The port is `<prefix>/port`, else every
/// declared TCP container port named `metrics` or ending in `-metrics`
/// (`http-metrics`); without one the pod is skipped and counted.
public struct DiscoveryRules: Sendable, Equatable {
    public var annotationPrefixes: [String]
    /// Only these namespaces (empty: all).
    public var namespaces: Set<String>
    public var namespacesExclude: Set<String>
    /// Pods of other nodes are ignored (nil: every pod the watch sees).
    public var nodeName: String?

    public init(annotationPrefixes: [String] = ["prometheus.io", "victoriametrics.com"], namespaces: Set<String> = [],
                namespacesExclude: Set<String> = [], nodeName: String? = nil) {
        self.annotationPrefixes = annotationPrefixes
        self.namespaces = namespaces
        self.namespacesExclude = namespacesExclude
        self.nodeName = nodeName
    }

    /// The annotations the pod watch must keep for discovery (it drops the others).
    public var annotationKeys: Set<String> {
        Set(annotationPrefixes.flatMap { prefix in ["scrape", "port", "path", "scheme"].map { "\(prefix)/\($0)" } })
    }

    /// The labels the pod watch must keep for discovery.
    public static let labelKeys: Set<String> = [ServiceNaming.nameLabel]

    public func evaluate(_ pod: DiscoveredPod) -> PodDiscovery {
        if let nodeName, !nodeName.isEmpty, pod.nodeName != nodeName { return .ignored }
        if !namespaces.isEmpty && !namespaces.contains(pod.namespace) { return .ignored }
        if namespacesExclude.contains(pod.namespace) { return .ignored }
        guard let prefix = annotationPrefixes.first(where: { pod.annotations["\($0)/scrape"] == "true" }) else { return .ignored }
        guard pod.phase == "Running", !pod.podIP.isEmpty else { return .ignored }

        let scheme = pod.annotations["\(prefix)/scheme"].map { $0.lowercased() } ?? "http"
        guard scheme == "http" || scheme == "https" else { return .skipped(reason: "invalid_scheme") }
        var path = pod.annotations["\(prefix)/path"] ?? "/metrics"
        if path.isEmpty { path = "/metrics" }
        if !path.hasPrefix("/") { path = "/" + path }
        // Anything that could end the request line or smuggle a header is refused.
        guard path.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return .skipped(reason: "invalid_path") }

        var ports: [Int] = []
        if let annotated = pod.annotations["\(prefix)/port"] {
            guard let port = Int(annotated.trimmingSpaces), (1...65535).contains(port) else { return .skipped(reason: "invalid_port") }
            ports = [port]
        } else {
            for declared in pod.containerPorts
            where declared.transport.uppercased() == "TCP" && Self.isMetricsPortName(declared.name) && (1...65535).contains(declared.port)
            && !ports.contains(declared.port) {
                ports.append(declared.port)
            }
            if ports.isEmpty { return .skipped(reason: "no_port") }
        }
        let serviceName = ServiceNaming.serviceName(of: pod)
        return .targets(ports.map { port in
            ScrapeTarget(podName: pod.name, podUID: pod.uid, namespace: pod.namespace, nodeName: pod.nodeName, serviceName: serviceName,
                         podIP: pod.podIP, port: port, scheme: scheme, path: path)
        })
    }

    /// `metrics`, `http-metrics`, `grpc-metrics`, ...
    static func isMetricsPortName(_ name: String) -> Bool {
        name == "metrics" || name.hasSuffix("-metrics")
    }
}

extension String {
    fileprivate var trimmingSpaces: Substring {
        var slice = self[...]
        while slice.first == " " { slice = slice.dropFirst() }
        while slice.last == " " { slice = slice.dropLast() }
        return slice
    }
}
