import CgroupReader
import KubeWatch

/// The container collector's names, from the watched pods: a pod by the UID in its
/// cgroup path, its containers by the ID in `containerStatuses[].containerID`
/// (`containerd://<id>` → `<id>`). Keeps `CgroupReader` and `KubeWatch` apart.
struct PodMetadataIndex: ContainerMetadataSource {
    let pods: PodWatch

    func pod(uid: String) -> PodMetadata? {
        guard let pod = pods.pod(uid: uid) else { return nil }
        var containers: [String: ContainerMetadata] = [:]
        for status in pod.status.containerStatuses + pod.status.initContainerStatuses {
            guard let separator = status.containerID.firstRange(of: "://") else { continue }
            // The runtime's name for the image (`docker.io/library/nginx:1.25`), which is
            // what cAdvisor's `image` label carries, not the spec's short form.
            containers[String(status.containerID[separator.upperBound...])] = ContainerMetadata(name: status.name, image: status.image)
        }
        return PodMetadata(name: pod.metadata.name, namespace: pod.metadata.namespace, containers: containers)
    }
}
