import CgroupReader
import KubeState
import Synchronization

/// The container collector's names, kept from the watched pods of this node: a pod by
/// the UID in its cgroup path (a static pod's mirror also by the kubelet's UID in its
/// `kubernetes.io/config.mirror`), its containers by the ID in
/// `containerStatuses[].containerID` (`containerd://<id>` → `<id>`). Keeps
/// `CgroupReader` and `KubeState` apart.
final class PodMetadataIndex: ContainerMetadataSource, ObjectObserver {
    private struct Entry {
        var metadata: PodMetadata
        var alias: String?
    }

    /// Pods of other nodes are not kept (a standalone agent may watch every pod).
    private let nodeName: String?
    private let pods = Mutex<(byUID: [String: Entry], aliases: [String: String])>(([:], [:]))

    init(nodeName: String?) {
        self.nodeName = nodeName
    }

    func upserted(_ pod: Pod) {
        guard nodeName == nil || pod.spec.nodeName == nodeName else { return removed(uid: pod.metadata.uid) }
        var containers: [String: ContainerMetadata] = [:]
        for status in pod.status.containerStatuses + pod.status.initContainerStatuses {
            guard let separator = status.containerID.firstRange(of: "://") else { continue }
            // The runtime's name for the image (`docker.io/library/nginx:1.25`), which is
            // what cAdvisor's `image` label carries, not the spec's short form.
            containers[String(status.containerID[separator.upperBound...])] = ContainerMetadata(name: status.name, image: status.image)
        }
        let entry = Entry(metadata: PodMetadata(name: pod.metadata.name, namespace: pod.metadata.namespace, containers: containers),
                          alias: pod.staticPodUID)
        let uid = pod.metadata.uid
        pods.withLock { pods in
            if let old = pods.byUID[uid]?.alias { pods.aliases.removeValue(forKey: old) }
            pods.byUID[uid] = entry
            if let alias = entry.alias { pods.aliases[alias] = uid }
        }
    }

    func removed(uid: String) {
        pods.withLock { pods in
            if let alias = pods.byUID.removeValue(forKey: uid)?.alias { pods.aliases.removeValue(forKey: alias) }
        }
    }

    func pod(uid: String) -> PodMetadata? {
        pods.withLock { pods in
            pods.byUID[uid]?.metadata ?? pods.aliases[uid].flatMap { pods.byUID[$0]?.metadata }
        }
    }

    var count: Int { pods.withLock { $0.byUID.count } }
}
