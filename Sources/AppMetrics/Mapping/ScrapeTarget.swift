/// Who a scrape target is: the pod, the port and path scraped, and the service name
/// its metrics are reported under. Its OTLP resource is built from these
/// (docs/otlp.md, "Application metrics").
public struct ScrapeTarget: Sendable, Hashable {
    public var podName: String
    public var podUID: String
    public var namespace: String
    public var nodeName: String
    /// `service.name` of the target's resource.
    public var serviceName: String
    public var podIP: String
    public var port: Int
    /// `http` or `https`.
    public var scheme: String
    /// The path scraped (`/metrics`).
    public var path: String

    public init(podName: String, podUID: String, namespace: String, nodeName: String, serviceName: String,
                podIP: String, port: Int, scheme: String = "http", path: String = "/metrics") {
        self.podName = podName
        self.podUID = podUID
        self.namespace = namespace
        self.nodeName = nodeName
        self.serviceName = serviceName
        self.podIP = podIP
        self.port = port
        self.scheme = scheme
        self.path = path
    }

    /// `<pod IP>:<port>`, the address Prometheus calls the instance (an IPv6 address in
    /// brackets, as in a URL).
    public var instance: String {
        podIP.contains(":") ? "[\(podIP)]:\(port)" : "\(podIP):\(port)"
    }
}
