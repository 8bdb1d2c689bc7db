import TelemetryModel

/// kube-state-metrics' pod families (internal/store/pod.go), one entry per family in
/// its output order. Every sample starts with `namespace, pod, uid`.
public enum PodFamilies {
    public struct Options: Sendable, Equatable {
        /// `kube_pod_labels` / `kube_pod_annotations` have samples only when the
        /// resource is allow-listed; the decoder keeps just the allowed keys.
        public var labelsAllowlisted = false
        public var annotationsAllowlisted = false
        /// `kube_pod_nodeselectors` is opt-in.
        public var nodeSelectors = false

        public init(labelsAllowlisted: Bool = false, annotationsAllowlisted: Bool = false, nodeSelectors: Bool = false) {
            self.labelsAllowlisted = labelsAllowlisted
            self.annotationsAllowlisted = annotationsAllowlisted
            self.nodeSelectors = nodeSelectors
        }
    }

    static let identity = ["namespace", "pod", "uid"]

    public static func render<Pods: Sequence<Pod>>(_ pods: Pods, options: Options) -> [MetricFamily] {
        var renderer = Renderer(options: options)
        for pod in pods { renderer.add(pod) }
        return renderer.families
    }

    /// Renders pods one at a time (straight from a store, without collecting them).
    public struct Renderer {
        private var renderer: FamilyRenderer<Pod>

        /// `filter` leaves out families (the metric allow/deny lists) before any rendering.
        public init(options: Options, filter: FamilyFilter = .everything) {
            renderer = FamilyRenderer(PodFamilies.table(options).filter { filter.includes($0.name) }) { pod in
                (PodFamilies.identity, [pod.metadata.namespace, pod.metadata.name, pod.metadata.uid])
            }
        }

        public mutating func add(_ pod: Pod) { renderer.add(pod) }

        public var families: [MetricFamily] { renderer.families }
    }

    static func table(_ options: Options) -> [ObjectFamily<Pod>] {
        var families = containers + metadata + initContainers
        families.append(annotations(enabled: options.annotationsAllowlisted))
        families.append(labels(enabled: options.labelsAllowlisted))
        families += spec + status
        if options.nodeSelectors { families.append(nodeSelectors) }
        return families
    }

    // MARK: Containers

    static let containers: [ObjectFamily<Pod>] = [
        ObjectFamily("kube_pod_completion_time", "Completion time in unix timestamp for a pod.", stability: .stable) { pod, out in
            let finished = pod.status.containerStatuses.compactMap { $0.state.terminated?.finishedAt }.max() ?? 0
            if finished > 0 { out.add(Double(finished)) }
        },
        ObjectFamily("kube_pod_container_info", "Information about a container in a pod.", stability: .stable) { pod, out in
            // A join: each spec container with its status (a status without a spec container has no info).
            for container in pod.spec.containers {
                for status in pod.status.containerStatuses where status.name == container.name {
                    out.add(["container", "image_spec", "image", "image_id", "container_id"],
                            [status.name, container.image, status.image, status.imageID, status.containerID], 1)
                }
            }
        },
        ObjectFamily("kube_pod_container_resource_limits", "The number of requested limit resource by a container. It is recommended to use the kube_pod_resource_limits metric exposed by kube-scheduler instead, as it is more precise.", stability: .stable) { pod, out in
            resources(pod.spec.containers, \.limits, node: pod.spec.nodeName, into: &out)
        },
        ObjectFamily("kube_pod_container_resource_requests", "The number of requested request resource by a container. It is recommended to use the kube_pod_resource_requests metric exposed by kube-scheduler instead, as it is more precise.", stability: .stable) { pod, out in
            resources(pod.spec.containers, \.requests, node: pod.spec.nodeName, into: &out)
        },
        ObjectFamily("kube_pod_container_state_started", "Start time in unix timestamp for a pod container.", stability: .stable) { pod, out in
            stateStarted(pod.status.containerStatuses, into: &out)
        },
        ObjectFamily("kube_pod_container_status_last_terminated_reason", "Describes the last reason the container was in terminated state.") { pod, out in
            for status in pod.status.containerStatuses {
                if let last = status.lastTerminated { out.add(["container", "reason"], [status.name, last.reason], 1) }
            }
        },
        ObjectFamily("kube_pod_container_status_last_terminated_exitcode", "Describes the exit code for the last container in terminated state.") { pod, out in
            for status in pod.status.containerStatuses {
                if let last = status.lastTerminated { out.add(["container"], [status.name], Double(last.exitCode)) }
            }
        },
        ObjectFamily("kube_pod_container_status_last_terminated_timestamp", "Last terminated time for a pod container in unix timestamp.") { pod, out in
            for status in pod.status.containerStatuses {
                if let finished = status.lastTerminated?.finishedAt { out.add(["container"], [status.name], Double(finished)) }
            }
        },
        ObjectFamily("kube_pod_container_status_ready", "Describes whether the containers readiness check succeeded.", stability: .stable) { pod, out in
            for status in pod.status.containerStatuses { out.add(["container"], [status.name], status.ready ? 1 : 0) }
        },
        ObjectFamily("kube_pod_container_status_restarts_total", "The number of container restarts per container.", type: .counter, stability: .stable) { pod, out in
            for status in pod.status.containerStatuses { out.add(["container"], [status.name], Double(status.restartCount)) }
        },
        ObjectFamily("kube_pod_container_status_running", "Describes whether the container is currently in running state.", stability: .stable) { pod, out in
            for status in pod.status.containerStatuses { out.add(["container"], [status.name], status.state.running != nil ? 1 : 0) }
        },
        ObjectFamily("kube_pod_container_status_terminated", "Describes whether the container is currently in terminated state.", stability: .stable) { pod, out in
            for status in pod.status.containerStatuses { out.add(["container"], [status.name], status.state.terminated != nil ? 1 : 0) }
        },
        ObjectFamily("kube_pod_container_status_terminated_reason", "Describes the reason the container is currently in terminated state.") { pod, out in
            for status in pod.status.containerStatuses {
                if let terminated = status.state.terminated { out.add(["container", "reason"], [status.name, terminated.reason], 1) }
            }
        },
        ObjectFamily("kube_pod_container_status_waiting", "Describes whether the container is currently in waiting state.", stability: .stable) { pod, out in
            for status in pod.status.containerStatuses { out.add(["container"], [status.name], status.state.waiting != nil ? 1 : 0) }
        },
        ObjectFamily("kube_pod_container_status_waiting_reason", "Describes the reason the container is currently in waiting state.", stability: .stable) { pod, out in
            for status in pod.status.containerStatuses {
                if let waiting = status.state.waiting { out.add(["container", "reason"], [status.name, waiting.reason], 1) }
            }
        },
    ]

    // MARK: Metadata and info

    static let metadata: [ObjectFamily<Pod>] = [
        ObjectFamily("kube_pod_created", "Unix creation timestamp", stability: .stable) { pod, out in
            if let created = pod.metadata.creationTimestamp, created != 0 { out.add(Double(created)) }
        },
        ObjectFamily("kube_pod_deletion_timestamp", "Unix deletion timestamp") { pod, out in
            if let deleted = pod.metadata.deletionTimestamp { out.add(Double(deleted)) }
        },
        ObjectFamily("kube_pod_info", "Information about pod.", stability: .stable) { pod, out in
            let controller = pod.metadata.ownerReferences.first { $0.controller == true }
            out.add(["host_ip", "pod_ip", "node", "created_by_kind", "created_by_name", "priority_class", "host_network"],
                    [pod.status.hostIP, pod.status.podIP, pod.spec.nodeName, controller?.kind ?? "", controller?.name ?? "",
                     pod.spec.priorityClassName, pod.spec.hostNetwork ? "true" : "false"], 1)
        },
        ObjectFamily("kube_pod_resourceclaim_info", "Information about the resource claims of a pod.") { pod, out in
            for claim in pod.spec.resourceClaims where claim.resourceClaimName != nil || claim.resourceClaimTemplateName != nil {
                let resolved = claim.resourceClaimName
                    ?? pod.status.resourceClaimStatuses.first { $0.name == claim.name }?.resourceClaimName ?? ""
                out.add(["claim_name", "resourceclaim_name", "resourceclaim_template_name"],
                        [claim.name, resolved, claim.resourceClaimTemplateName ?? ""], 1)
            }
        },
        ObjectFamily("kube_pod_ips", "Pod IP addresses") { pod, out in
            for ip in pod.status.podIPs {
                guard let family = IPAddressFamily.of(ip) else { continue }
                out.add(["ip", "ip_family"], [ip, family], 1)
            }
        },
    ]

    // MARK: Init containers

    static let initContainers: [ObjectFamily<Pod>] = [
        ObjectFamily("kube_pod_init_container_info", "Information about an init container in a pod.", stability: .stable) { pod, out in
            for container in pod.spec.initContainers {
                for status in pod.status.initContainerStatuses where status.name == container.name {
                    out.add(["container", "image_spec", "image", "image_id", "container_id", "restart_policy"],
                            [status.name, container.image, status.image, status.imageID, status.containerID, container.restartPolicy ?? ""], 1)
                }
            }
        },
        ObjectFamily("kube_pod_init_container_resource_limits", "The number of requested limit resource by an init container.") { pod, out in
            resources(pod.spec.initContainers, \.limits, node: pod.spec.nodeName, into: &out)
        },
        ObjectFamily("kube_pod_init_container_resource_requests", "The number of requested request resource by an init container.") { pod, out in
            resources(pod.spec.initContainers, \.requests, node: pod.spec.nodeName, into: &out)
        },
        ObjectFamily("kube_pod_init_container_status_last_terminated_reason", "Describes the last reason the init container was in terminated state.") { pod, out in
            for status in pod.status.initContainerStatuses {
                if let last = status.lastTerminated { out.add(["container", "reason"], [status.name, last.reason], 1) }
            }
        },
        ObjectFamily("kube_pod_init_container_status_ready", "Describes whether the init containers readiness check succeeded.", stability: .stable) { pod, out in
            for status in pod.status.initContainerStatuses { out.add(["container"], [status.name], status.ready ? 1 : 0) }
        },
        ObjectFamily("kube_pod_init_container_status_restarts_total", "The number of restarts for the init container.", type: .counter, stability: .stable) { pod, out in
            for status in pod.status.initContainerStatuses { out.add(["container"], [status.name], Double(status.restartCount)) }
        },
        ObjectFamily("kube_pod_init_container_status_running", "Describes whether the init container is currently in running state.", stability: .stable) { pod, out in
            for status in pod.status.initContainerStatuses { out.add(["container"], [status.name], status.state.running != nil ? 1 : 0) }
        },
        ObjectFamily("kube_pod_init_container_status_terminated", "Describes whether the init container is currently in terminated state.", stability: .stable) { pod, out in
            for status in pod.status.initContainerStatuses { out.add(["container"], [status.name], status.state.terminated != nil ? 1 : 0) }
        },
        ObjectFamily("kube_pod_init_container_status_terminated_reason", "Describes the reason the init container is currently in terminated state.") { pod, out in
            for status in pod.status.initContainerStatuses {
                if let terminated = status.state.terminated { out.add(["container", "reason"], [status.name, terminated.reason], 1) }
            }
        },
        ObjectFamily("kube_pod_init_container_status_waiting", "Describes whether the init container is currently in waiting state.", stability: .stable) { pod, out in
            for status in pod.status.initContainerStatuses { out.add(["container"], [status.name], status.state.waiting != nil ? 1 : 0) }
        },
        ObjectFamily("kube_pod_init_container_status_waiting_reason", "Describes the reason the init container is currently in waiting state.") { pod, out in
            for status in pod.status.initContainerStatuses {
                if let waiting = status.state.waiting { out.add(["container", "reason"], [status.name, waiting.reason], 1) }
            }
        },
        ObjectFamily("kube_pod_init_container_state_started", "Start time in unix timestamp for a pod init container.") { pod, out in
            stateStarted(pod.status.initContainerStatuses, into: &out)
        },
        ObjectFamily("kube_pod_init_container_status_last_terminated_exitcode", "Describes the exit code for the last init container in terminated state.") { pod, out in
            for status in pod.status.initContainerStatuses {
                if let last = status.lastTerminated { out.add(["container"], [status.name], Double(last.exitCode)) }
            }
        },
        ObjectFamily("kube_pod_init_container_status_last_terminated_timestamp", "Last terminated time for a pod init container in unix timestamp.") { pod, out in
            for status in pod.status.initContainerStatuses {
                if let finished = status.lastTerminated?.finishedAt { out.add(["container"], [status.name], Double(finished)) }
            }
        },
    ]

    // MARK: Labels, annotations, selectors

    static func annotations(enabled: Bool) -> ObjectFamily<Pod> {
        ObjectFamily("kube_pod_annotations", "Kubernetes annotations converted to Prometheus labels.") { pod, out in
            guard enabled else { return }
            let (names, values) = PrometheusLabelKeys.names(for: pod.metadata.annotations, prefix: "annotation")
            out.add(names, values, 1)
        }
    }

    static func labels(enabled: Bool) -> ObjectFamily<Pod> {
        ObjectFamily("kube_pod_labels", "Kubernetes labels converted to Prometheus labels.", stability: .stable) { pod, out in
            guard enabled else { return }
            let (names, values) = PrometheusLabelKeys.names(for: pod.metadata.labels, prefix: "label")
            out.add(names, values, 1)
        }
    }

    static let nodeSelectors = ObjectFamily<Pod>("kube_pod_nodeselectors", "Describes the Pod nodeSelectors.") { pod, out in
        let (names, values) = PrometheusLabelKeys.names(for: pod.spec.nodeSelector, prefix: "nodeselector")
        out.add(names, values, 1)
    }

    // MARK: Spec

    static let spec: [ObjectFamily<Pod>] = [
        ObjectFamily("kube_pod_overhead_cpu_cores", "The pod overhead in regards to cpu cores associated with running a pod.") { pod, out in
            if let cpu = pod.spec.overhead.first(where: { $0.resource == "cpu" }) { out.add(Double(cpu.quantity.milliValue) / 1000) }
        },
        ObjectFamily("kube_pod_overhead_memory_bytes", "The pod overhead in regards to memory associated with running a pod.") { pod, out in
            if let memory = pod.spec.overhead.first(where: { $0.resource == "memory" }) { out.add(Double(memory.quantity.value)) }
        },
        ObjectFamily("kube_pod_owner", "Information about the Pod's owner.", stability: .stable) { pod, out in
            let names = ["owner_kind", "owner_name", "owner_is_controller"]
            guard !pod.metadata.ownerReferences.isEmpty else { return out.add(names, ["", "", ""], 1) }
            for owner in pod.metadata.ownerReferences {
                out.add(names, [owner.kind, owner.name, owner.controller == true ? "true" : "false"], 1)
            }
        },
        ObjectFamily("kube_pod_restart_policy", "Describes the restart policy in use by this pod.", stability: .stable) { pod, out in
            out.add(["type"], [pod.spec.restartPolicy], 1)
        },
        ObjectFamily("kube_pod_runtimeclass_name_info", "The runtimeclass associated with the pod.") { pod, out in
            if let runtimeClass = pod.spec.runtimeClassName { out.add(["runtimeclass_name"], [runtimeClass], 1) }
        },
        ObjectFamily("kube_pod_spec_volumes_persistentvolumeclaims_info", "Information about persistentvolumeclaim volumes in a pod.", stability: .stable) { pod, out in
            for volume in pod.spec.volumes {
                if let claim = volume.claimName {
                    out.add(["volume", "persistentvolumeclaim"], [volume.name, claim], 1)
                } else if volume.ephemeral {
                    out.add(["volume", "persistentvolumeclaim"], [volume.name, pod.metadata.name + "-" + volume.name], 1)
                }
            }
        },
        ObjectFamily("kube_pod_spec_volumes_persistentvolumeclaims_readonly", "Describes whether a persistentvolumeclaim is mounted read only.", stability: .stable) { pod, out in
            for volume in pod.spec.volumes {
                if let claim = volume.claimName {
                    out.add(["volume", "persistentvolumeclaim"], [volume.name, claim], volume.readOnly ? 1 : 0)
                } else if volume.ephemeral {
                    out.add(["volume", "persistentvolumeclaim"], [volume.name, pod.metadata.name + "-" + volume.name], 0)
                }
            }
        },
        ObjectFamily("kube_pod_start_time", "Start time in unix timestamp for a pod.", stability: .stable) { pod, out in
            if let start = pod.status.startTime { out.add(Double(start)) }
        },
    ]

    // MARK: Status

    static let status: [ObjectFamily<Pod>] = [
        ObjectFamily("kube_pod_status_phase", "The pods current phase.", stability: .stable) { pod, out in
            var phase = pod.status.phase
            // kubectl's rule: a terminating pod on a lost node is Unknown.
            if pod.metadata.deletionTimestamp != nil && pod.status.reason == "NodeLost" { phase = "Unknown" }
            guard !phase.isEmpty else { return }
            for candidate in ["Pending", "Succeeded", "Failed", "Unknown", "Running"] {
                out.add(["phase"], [candidate], phase == candidate ? 1 : 0)
            }
        },
        ObjectFamily("kube_pod_status_qos_class", "The pods current qosClass.") { pod, out in
            guard !pod.status.qosClass.isEmpty else { return }
            for candidate in ["BestEffort", "Burstable", "Guaranteed"] {
                out.add(["qos_class"], [candidate], pod.status.qosClass == candidate ? 1 : 0)
            }
        },
        ObjectFamily("kube_pod_status_ready", "Describes whether the pod is ready to serve requests.", stability: .stable) { pod, out in
            for condition in pod.status.conditions where condition.type == "Ready" { conditionSamples(condition.status, into: &out) }
        },
        ObjectFamily("kube_pod_status_ready_time", "Readiness achieved time in unix timestamp for a pod.") { pod, out in
            transitionTime(of: "Ready", in: pod, when: "True", into: &out)
        },
        ObjectFamily("kube_pod_status_initialized_time", "Initialized time in unix timestamp for a pod.") { pod, out in
            transitionTime(of: "Initialized", in: pod, when: "True", into: &out)
        },
        ObjectFamily("kube_pod_status_container_ready_time", "Readiness achieved time in unix timestamp for a pod containers.") { pod, out in
            transitionTime(of: "ContainersReady", in: pod, when: "True", into: &out)
        },
        ObjectFamily("kube_pod_status_reason", "The pod status reasons") { pod, out in
            for reason in PodStatusReason.reasons(of: pod) { out.add(["reason"], [reason], 1) }
        },
        ObjectFamily("kube_pod_status_disruption_reason", "The pod disruption reason") { pod, out in
            for condition in pod.status.conditions where condition.type == "DisruptionTarget" && condition.status == "True" {
                out.add(["reason"], [PodStatusReason.disruption(condition.reason)], 1)
            }
        },
        ObjectFamily("kube_pod_status_scheduled", "Describes the status of the scheduling process for the pod.", stability: .stable) { pod, out in
            for condition in pod.status.conditions where condition.type == "PodScheduled" { conditionSamples(condition.status, into: &out) }
        },
        ObjectFamily("kube_pod_status_scheduled_time", "Unix timestamp when pod moved into scheduled status", stability: .stable) { pod, out in
            transitionTime(of: "PodScheduled", in: pod, when: "True", into: &out)
        },
        ObjectFamily("kube_pod_status_unschedulable", "Describes the unschedulable status for the pod.", stability: .stable) { pod, out in
            if pod.status.conditions.contains(where: { $0.type == "PodScheduled" && $0.status == "False" }) { out.add(1) }
        },
        ObjectFamily("kube_pod_status_unscheduled_time", "Unix timestamp when pod moved into unscheduled status") { pod, out in
            transitionTime(of: "PodScheduled", in: pod, when: "False", into: &out)
        },
        ObjectFamily("kube_pod_tolerations", "Information about the pod tolerations") { pod, out in
            var seen = Set<Pod.Toleration>()
            for toleration in pod.spec.tolerations where seen.insert(toleration).inserted {
                out.add(["key", "operator", "value", "effect", "toleration_seconds"],
                        [toleration.key, toleration.operator, toleration.value, toleration.effect,
                         toleration.tolerationSeconds.map(String.init) ?? ""], 1)
            }
        },
        ObjectFamily("kube_pod_service_account", "The service account for a pod.") { pod, out in
            out.add(["service_account"], [pod.spec.serviceAccountName], 1)
        },
        ObjectFamily("kube_pod_scheduler", "The scheduler for a pod.") { pod, out in
            out.add(["name"], [pod.spec.schedulerName], 1)
        },
    ]

    // MARK: Shared rules

    /// Requests or limits of each container: CPU in cores (milli-precision), byte
    /// resources rounded up to whole bytes, extended resources as integers; anything
    /// else is left out, as kube-state-metrics does. Sorted by resource name (Go's map
    /// order is random, so there is no order to copy).
    private static func resources(_ containers: [Pod.Container], _ list: KeyPath<Pod.Container, [(resource: String, quantity: Quantity)]>,
                                  node: String, into out: inout SampleWriter) {
        for container in containers {
            for (resource, quantity) in container[keyPath: list].sorted(by: { $0.resource < $1.resource }) {
                guard let (unit, value) = ResourceUnit.of(resource, quantity) else { continue }
                out.add(["container", "node", "resource", "unit"], [container.name, node, PrometheusLabelKeys.sanitized(resource), unit], value)
            }
        }
    }

    private static func stateStarted(_ statuses: [Pod.ContainerStatus], into out: inout SampleWriter) {
        for status in statuses {
            if let running = status.state.running {
                out.add(["container"], [status.name], Double(running.startedAt ?? goZeroTime))
            } else if let terminated = status.state.terminated {
                out.add(["container"], [status.name], Double(terminated.startedAt ?? goZeroTime))
            }
        }
    }

    /// Go's zero `time.Time` in Unix seconds (year 1): what kube-state-metrics reports
    /// for an unset `startedAt`.
    static let goZeroTime: Int64 = -62_135_596_800

    /// Three samples, `condition="true|false|unknown"`, 1 on the current status;
    /// all 0 for a status that is none of those.
    static func conditionSamples(_ status: String, into out: inout SampleWriter) {
        for (label, value) in [("true", "True"), ("false", "False"), ("unknown", "Unknown")] {
            out.add(["condition"], [label], status == value ? 1 : 0)
        }
    }

    private static func transitionTime(of type: String, in pod: Pod, when status: String, into out: inout SampleWriter) {
        for condition in pod.status.conditions where condition.type == type && condition.status == status {
            if let time = condition.lastTransitionTime { out.add(Double(time)) }
        }
    }
}

/// Units and values of container resources, by kube-state-metrics' rules.
enum ResourceUnit {
    static func of(_ resource: String, _ quantity: Quantity) -> (unit: String, value: Double)? {
        switch resource {
        case "cpu":
            return ("core", Double(quantity.milliValue) / 1000)
        case "memory", "storage", "ephemeral-storage":
            return ("byte", Double(quantity.value))
        default:
            if resource.hasPrefix("hugepages-") || resource.hasPrefix("attachable-volumes-") { return ("byte", Double(quantity.value)) }
            // Extended resources: a domain-qualified name outside kubernetes.io.
            if resource.contains("/") && !resource.contains("kubernetes.io/") && !resource.hasPrefix("requests.") {
                return ("integer", Double(quantity.value))
            }
            return nil
        }
    }
}

/// `ip_family` of a pod IP: "4" (IPv4-mapped IPv6 included) or "6"; nil when it
/// does not parse.
enum IPAddressFamily {
    static func of(_ text: String) -> String? {
        if isIPv4(text) { return "4" }
        guard text.contains(":"), text.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
        let lower = text.lowercased()
        if lower.hasPrefix("::ffff:"), isIPv4(String(lower.dropFirst(7))) { return "4" }
        // At most one "::", at most 8 groups of up to 4 hex digits.
        let parts = lower.split(separator: "::", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return nil }
        let groups = parts.flatMap { $0.split(separator: ":", omittingEmptySubsequences: false) }.filter { !$0.isEmpty }
        guard groups.count <= 8, groups.allSatisfy({ $0.count <= 4 && $0.allSatisfy(\.isHexDigit) }) else { return nil }
        return parts.count == 2 || groups.count == 8 ? "6" : nil
    }

    private static func isIPv4(_ text: String) -> Bool {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { octet in
            !octet.isEmpty && octet.count <= 3 && octet.allSatisfy(\.isASCII) && octet.allSatisfy(\.isNumber) && Int(octet).map { $0 <= 255 } == true
        }
    }
}

/// `kube_pod_status_reason` and `_disruption_reason`'s known reasons.
enum PodStatusReason {
    static let known = ["Evicted", "NodeAffinity", "NodeLost", "PreemptionByScheduler", "SchedulingGated", "Shutdown",
                        "TerminationByKubelet", "UnexpectedAdmissionError"]
    static let disruptions = ["PreemptionByScheduler", "DeletionByTaintManager", "EvictionByEvictionAPI", "DeletionByPodGC",
                              "TerminationByKubelet"]

    /// Each known reason found in the pod's status reason, its conditions' reasons or
    /// its containers' termination reasons; an unknown status reason adds "Other".
    static func reasons(of pod: Pod) -> [String] {
        var found = Set<String>()
        found.insert(pod.status.reason)
        for condition in pod.status.conditions { found.insert(condition.reason) }
        for status in pod.status.containerStatuses { if let reason = status.state.terminated?.reason { found.insert(reason) } }
        var reasons = known.filter { found.contains($0) }
        if !pod.status.reason.isEmpty && !known.contains(pod.status.reason) { reasons.append("Other") }
        return reasons
    }

    static func disruption(_ reason: String) -> String {
        disruptions.contains(reason) ? reason : "Other"
    }
}
