import AppMetrics
import KubeState
import KubeWatch

/// Hands every pod the watch applies to application metrics' discovery, as the
/// fields discovery reads. The watch decodes the discovery annotations and labels
/// whatever kube-state's allowlists say (`KubeStateConfiguration.observedPodAnnotations`).
struct AppPodObserver: ObjectObserver {
    let targets: TargetSet

    func upserted(_ pod: Pod) {
        targets.upsert(Self.discovered(pod))
    }

    func removed(uid: String) {
        targets.remove(uid: uid)
    }

    static func discovered(_ pod: Pod) -> DiscoveredPod {
        var annotations: [String: String] = [:]
        for entry in pod.metadata.capturedAnnotations + pod.metadata.annotations { annotations[entry.key] = entry.value }
        var labels: [String: String] = [:]
        for entry in pod.metadata.capturedLabels + pod.metadata.labels { labels[entry.key] = entry.value }
        let ports = (pod.spec.containers + pod.spec.initContainers.filter { $0.restartPolicy == "Always" }).flatMap { container in
            container.ports.map { port in
                // A port outside 1...65535 is not one discovery uses (it checks the range).
                DiscoveredPod.ContainerPort(name: port.name, port: Int(clamping: port.containerPort), transport: port.`protocol`)
            }
        }
        return DiscoveredPod(name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid, nodeName: pod.spec.nodeName,
                             phase: pod.status.phase, podIP: pod.status.podIP, annotations: annotations, labels: labels,
                             controller: pod.metadata.controller.map { DiscoveredPod.Controller(kind: $0.kind, name: $0.name) },
                             containerPorts: ports)
    }
}
