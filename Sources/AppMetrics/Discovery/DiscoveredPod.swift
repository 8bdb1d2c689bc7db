/// The fields of a pod that discovery reads, as the agent's pod watch hands them over
/// (the watch decodes them; this module never talks to the API). Annotations and
/// labels hold only the keys `DiscoveryRules.annotationKeys` and
/// `DiscoveryRules.labelKeys` name.
public struct DiscoveredPod: Sendable, Hashable {
    /// A port a container declares (`spec.containers[].ports[]`).
    public struct ContainerPort: Sendable, Hashable {
        public var name: String
        public var port: Int
        /// `TCP` unless the pod says otherwise.
        public var transport: String

        public init(name: String, port: Int, transport: String = "TCP") {
            self.name = name
            self.port = port
            self.transport = transport
        }
    }

    /// The owner reference marked `controller: true`.
    public struct Controller: Sendable, Hashable {
        public var kind: String
        public var name: String

        public init(kind: String, name: String) {
            self.kind = kind
            self.name = name
        }
    }

    public var name: String
    public var namespace: String
    public var uid: String
    public var nodeName: String
    /// `status.phase`: only `Running` pods are scraped.
    public var phase: String
    public var podIP: String
    public var annotations: [String: String]
    public var labels: [String: String]
    public var controller: Controller?
    public var containerPorts: [ContainerPort]

    public init(name: String, namespace: String, uid: String, nodeName: String = "", phase: String = "Running", podIP: String = "",
                annotations: [String: String] = [:], labels: [String: String] = [:], controller: Controller? = nil,
                containerPorts: [ContainerPort] = []) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.nodeName = nodeName
        self.phase = phase
        self.podIP = podIP
        self.annotations = annotations
        self.labels = labels
        self.controller = controller
        self.containerPorts = containerPorts
    }
}
