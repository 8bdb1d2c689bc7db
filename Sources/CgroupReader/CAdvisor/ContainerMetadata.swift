/// What the container families need to know about a pod beyond its cgroups: names
/// and images, which only the Kubernetes API (or the runtime) knows.
public struct PodMetadata: Sendable, Equatable {
    public var name: String
    public var namespace: String
    /// By container ID (the 64-hex ID in the cgroup name).
    public var containers: [String: ContainerMetadata]

    public init(name: String, namespace: String, containers: [String: ContainerMetadata]) {
        self.name = name
        self.namespace = namespace
        self.containers = containers
    }
}

public struct ContainerMetadata: Sendable, Equatable {
    public var name: String
    public var image: String

    public init(name: String, image: String) {
        self.name = name
        self.image = image
    }
}

/// Looks pods up by the UID in their cgroup path. The Kubernetes watch implements it
/// from the node's pods (static pods are found by their mirror annotation's UID).
public protocol ContainerMetadataSource: Sendable {
    func pod(uid: String) -> PodMetadata?
}
