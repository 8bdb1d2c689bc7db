/// `service.name` for a scraped pod, as the OpenTelemetry Collector's k8sattributes
/// processor infers it: the `app.kubernetes.io/name` label, else the name of the
/// workload that controls the pod (a ReplicaSet's Deployment, a Job's CronJob), else
/// the pod's own name.
enum ServiceNaming {
    static let nameLabel = "app.kubernetes.io/name"

    static func serviceName(of pod: DiscoveredPod) -> String {
        if let name = pod.labels[nameLabel], !name.isEmpty { return name }
        guard let controller = pod.controller, !controller.name.isEmpty else { return pod.name }
        switch controller.kind {
        case "ReplicaSet":
            // `<deployment>-<pod-template-hash>`: k8sattributes strips the last
            // alphanumeric segment.
            return strippingSuffix(controller.name) { $0.isASCII && ($0.isLetter || $0.isNumber) }
        case "Job":
            // `<cronjob>-<scheduled time in minutes>`.
            return strippingSuffix(controller.name) { $0.isASCII && $0.isNumber }
        default:
            return controller.name
        }
    }

    /// The name without its last `-<suffix>` when the suffix is non-empty and all of
    /// it passes `allowed`; otherwise the name as it is.
    private static func strippingSuffix(_ name: String, _ allowed: (Character) -> Bool) -> String {
        guard let dash = name.lastIndex(of: "-"), dash > name.startIndex else { return name }
        let suffix = name[name.index(after: dash)...]
        guard !suffix.isEmpty, suffix.allSatisfy(allowed) else { return name }
        return String(name[..<dash])
    }
}
