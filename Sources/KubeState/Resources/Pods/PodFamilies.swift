import KubeWatch
import TelemetryModel

/// kube-state-metrics' pod families (internal/store/pod.go), in its output order.
/// Every sample starts with `namespace, pod, uid`.
extension Pod {
    public static let families: [Family<Pod>] = [
        .gauge("kube_pod_completion_time", "Completion time in unix timestamp for a pod.", .stable) { pod in
            let finished = pod.status.containerStatuses.compactMap { $0.state.terminated.map { KubeStateRules.seconds($0.finishedAt) } }.max() ?? 0
            return finished > 0 ? finished : nil
        },
        Family("kube_pod_container_info", "Information about a container in a pod.", .stable,
               labels: ["container", "image_spec", "image", "image_id", "container_id"]) { pod, out in
            containerInfo(pod.spec.containers, pod.status.containerStatuses, into: &out) { _ in [] }
        },
        Family("kube_pod_container_resource_limits", "The number of requested limit resource by a container. It is recommended to use the kube_pod_resource_limits metric exposed by kube-scheduler instead, as it is more precise.", .stable,
               labels: ["container", "node", "resource", "unit"]) { pod, out in
            resources(pod.spec.containers, limits: true, node: pod.spec.nodeName, into: &out)
        },
        Family("kube_pod_container_resource_requests", "The number of requested request resource by a container. It is recommended to use the kube_pod_resource_requests metric exposed by kube-scheduler instead, as it is more precise.", .stable,
               labels: ["container", "node", "resource", "unit"]) { pod, out in
            resources(pod.spec.containers, limits: false, node: pod.spec.nodeName, into: &out)
        },
        Family("kube_pod_container_state_started", "Start time in unix timestamp for a pod container.", .stable, labels: ["container"]) { pod, out in
            stateStarted(pod.status.containerStatuses, into: &out)
        },
        Family("kube_pod_container_status_last_terminated_reason", "Describes the last reason the container was in terminated state.",
               labels: ["container", "reason"]) { pod, out in
            for status in pod.status.containerStatuses {
                if let last = status.lastState.terminated { out.add([status.name, last.reason], 1) }
            }
        },
        Family("kube_pod_container_status_last_terminated_exitcode", "Describes the exit code for the last container in terminated state.",
               labels: ["container"]) { pod, out in
            lastExitCode(pod.status.containerStatuses, into: &out)
        },
        Family("kube_pod_container_status_last_terminated_timestamp", "Last terminated time for a pod container in unix timestamp.",
               labels: ["container"]) { pod, out in
            lastTerminated(pod.status.containerStatuses, into: &out)
        },
        Family("kube_pod_container_status_ready", "Describes whether the containers readiness check succeeded.", .stable, labels: ["container"]) { pod, out in
            for status in pod.status.containerStatuses { out.add(status.name, status.ready ? 1 : 0) }
        },
        Family("kube_pod_container_status_restarts_total", "The number of container restarts per container.", .stable, type: .counter,
               labels: ["container"]) { pod, out in
            for status in pod.status.containerStatuses { out.add(status.name, Double(status.restartCount)) }
        },
        Family("kube_pod_container_status_running", "Describes whether the container is currently in running state.", .stable, labels: ["container"]) { pod, out in
            for status in pod.status.containerStatuses { out.add(status.name, status.state.running != nil ? 1 : 0) }
        },
        Family("kube_pod_container_status_terminated", "Describes whether the container is currently in terminated state.", .stable, labels: ["container"]) { pod, out in
            for status in pod.status.containerStatuses { out.add(status.name, status.state.terminated != nil ? 1 : 0) }
        },
        Family("kube_pod_container_status_terminated_reason", "Describes the reason the container is currently in terminated state.",
               labels: ["container", "reason"]) { pod, out in
            for status in pod.status.containerStatuses {
                if let terminated = status.state.terminated { out.add([status.name, terminated.reason], 1) }
            }
        },
        Family("kube_pod_container_status_waiting", "Describes whether the container is currently in waiting state.", .stable, labels: ["container"]) { pod, out in
            for status in pod.status.containerStatuses { out.add(status.name, status.state.waiting != nil ? 1 : 0) }
        },
        Family("kube_pod_container_status_waiting_reason", "Describes the reason the container is currently in waiting state.", .stable,
               labels: ["container", "reason"]) { pod, out in
            for status in pod.status.containerStatuses {
                if let waiting = status.state.waiting { out.add([status.name, waiting.reason], 1) }
            }
        },
        .created("kube_pod_created"),
        .deletionTimestamp("kube_pod_deletion_timestamp"),
        .info("kube_pod_info", "Information about pod.", .stable,
              labels: ["host_ip", "pod_ip", "node", "created_by_kind", "created_by_name", "priority_class", "host_network"]) { pod in
            let controller = pod.metadata.controller
            return [pod.status.hostIP, pod.status.podIP, pod.spec.nodeName, controller?.kind ?? "", controller?.name ?? "",
                    pod.spec.priorityClassName, KubeStateRules.bool(pod.spec.hostNetwork)]
        },
        Family("kube_pod_ips", "Pod IP addresses", labels: ["ip", "ip_family"]) { pod, out in
            for ip in pod.status.podIPs {
                if let family = IPAddressFamily.of(ip.ip) { out.add([ip.ip, family], 1) }
            }
        },
        Family("kube_pod_init_container_info", "Information about an init container in a pod.", .stable,
               labels: ["container", "image_spec", "image", "image_id", "container_id", "restart_policy"]) { pod, out in
            containerInfo(pod.spec.initContainers, pod.status.initContainerStatuses, into: &out) { [$0.restartPolicy ?? ""] }
        },
        Family("kube_pod_init_container_resource_limits", "The number of requested limit resource by an init container.",
               labels: ["container", "node", "resource", "unit"]) { pod, out in
            resources(pod.spec.initContainers, limits: true, node: pod.spec.nodeName, into: &out)
        },
        Family("kube_pod_init_container_resource_requests", "The number of requested request resource by an init container.",
               labels: ["container", "node", "resource", "unit"]) { pod, out in
            resources(pod.spec.initContainers, limits: false, node: pod.spec.nodeName, into: &out)
        },
        Family("kube_pod_init_container_state_started", "Start time in unix timestamp for a pod init container.", labels: ["container"]) { pod, out in
            stateStarted(pod.status.initContainerStatuses, into: &out)
        },
        Family("kube_pod_init_container_status_last_terminated_reason", "Describes the last reason the init container was in terminated state.",
               labels: ["container", "reason"]) { pod, out in
            for status in pod.status.initContainerStatuses {
                if let last = status.lastState.terminated { out.add([status.name, last.reason], 1) }
            }
        },
        Family("kube_pod_init_container_status_last_terminated_exitcode", "Describes the exit code for the last init container in terminated state.",
               labels: ["container"]) { pod, out in
            lastExitCode(pod.status.initContainerStatuses, into: &out)
        },
        Family("kube_pod_init_container_status_last_terminated_timestamp", "Last terminated time for a pod init container in unix timestamp.",
               labels: ["container"]) { pod, out in
            lastTerminated(pod.status.initContainerStatuses, into: &out)
        },
        Family("kube_pod_init_container_status_ready", "Describes whether the init containers readiness check succeeded.", .stable,
               labels: ["container"]) { pod, out in
            for status in pod.status.initContainerStatuses { out.add(status.name, status.ready ? 1 : 0) }
        },
        Family("kube_pod_init_container_status_restarts_total", "The number of restarts for the init container.", .stable, type: .counter,
               labels: ["container"]) { pod, out in
            for status in pod.status.initContainerStatuses { out.add(status.name, Double(status.restartCount)) }
        },
        Family("kube_pod_init_container_status_running", "Describes whether the init container is currently in running state.", .stable,
               labels: ["container"]) { pod, out in
            for status in pod.status.initContainerStatuses { out.add(status.name, status.state.running != nil ? 1 : 0) }
        },
        Family("kube_pod_init_container_status_terminated", "Describes whether the init container is currently in terminated state.", .stable,
               labels: ["container"]) { pod, out in
            for status in pod.status.initContainerStatuses { out.add(status.name, status.state.terminated != nil ? 1 : 0) }
        },
        Family("kube_pod_init_container_status_terminated_reason", "Describes the reason the init container is currently in terminated state.",
               labels: ["container", "reason"]) { pod, out in
            for status in pod.status.initContainerStatuses {
                if let terminated = status.state.terminated { out.add([status.name, terminated.reason], 1) }
            }
        },
        Family("kube_pod_init_container_status_waiting", "Describes whether the init container is currently in waiting state.", .stable,
               labels: ["container"]) { pod, out in
            for status in pod.status.initContainerStatuses { out.add(status.name, status.state.waiting != nil ? 1 : 0) }
        },
        Family("kube_pod_init_container_status_waiting_reason", "Describes the reason the init container is currently in waiting state.",
               labels: ["container", "reason"]) { pod, out in
            for status in pod.status.initContainerStatuses {
                if let waiting = status.state.waiting { out.add([status.name, waiting.reason], 1) }
            }
        },
        .annotations("kube_pod_annotations"),
        .labels("kube_pod_labels"),
        .gauge("kube_pod_overhead_cpu_cores", "The pod overhead in regards to cpu cores associated with running a pod.") { pod in
            pod.spec.overhead.first { $0.name == "cpu" }.map { $0.quantity.doubleMilliValue / 1000 }
        },
        .gauge("kube_pod_overhead_memory_bytes", "The pod overhead in regards to memory associated with running a pod.") { pod in
            pod.spec.overhead.first { $0.name == "memory" }.map { $0.quantity.doubleValue }
        },
        .owner("kube_pod_owner", "Information about the Pod's owner.", .stable),
        Family("kube_pod_resourceclaim_info", "Information about a DRA ResourceClaim referenced by a pod, one series per pod.spec.resourceClaims entry; claim_name is the pod-local reference and resourceclaim_name is the resolved ResourceClaim object name.",
               labels: ["claim_name", "resourceclaim_name", "resourceclaim_template_name"]) { pod, out in
            for claim in pod.spec.resourceClaims where claim.resourceClaimName != nil || claim.resourceClaimTemplateName != nil {
                // The spec's name, else the name the status resolved it to (the last entry wins).
                let resolved = claim.resourceClaimName
                    ?? pod.status.resourceClaimStatuses.last { $0.name == claim.name && $0.resourceClaimName != nil }?.resourceClaimName ?? ""
                out.add([claim.name, resolved, claim.resourceClaimTemplateName ?? ""], 1)
            }
        },
        .info("kube_pod_restart_policy", "Describes the restart policy in use by this pod.", .stable, labels: ["type"]) { pod in
            [pod.spec.restartPolicy]
        },
        .info("kube_pod_runtimeclass_name_info", "The runtimeclass associated with the pod.", labels: ["runtimeclass_name"]) { pod in
            pod.spec.runtimeClassName.map { [$0] }
        },
        Family("kube_pod_spec_volumes_persistentvolumeclaims_info", "Information about persistentvolumeclaim and ephemeral volumes in a pod.", .stable,
               labels: ["volume", "persistentvolumeclaim", "ephemeral"]) { pod, out in
            for (volume, claim, ephemeral, _) in claimVolumes(pod) { out.add([volume, claim, ephemeral], 1) }
        },
        Family("kube_pod_spec_volumes_persistentvolumeclaims_readonly", "Describes whether a persistentvolumeclaim is mounted read only. Ephemeral volumes always report 0 since the ephemeral volume source does not support a read-only flag.", .stable,
               labels: ["volume", "persistentvolumeclaim", "ephemeral"]) { pod, out in
            for (volume, claim, ephemeral, readOnly) in claimVolumes(pod) { out.add([volume, claim, ephemeral], readOnly ? 1 : 0) }
        },
        .gauge("kube_pod_start_time", "Start time in unix timestamp for a pod.", .stable) { pod in
            pod.status.startTime.map { Double($0.seconds) }
        },
        Family("kube_pod_status_phase", "The pods current phase.", .stable, labels: ["phase"]) { pod, out in
            KubeStateRules.stateSet(pod.status.phase, ["Pending", "Succeeded", "Failed", "Unknown", "Running"], into: &out)
        },
        Family("kube_pod_status_qos_class", "The pods current qosClass.", labels: ["qos_class"]) { pod, out in
            KubeStateRules.stateSet(pod.status.qosClass, ["BestEffort", "Burstable", "Guaranteed"], into: &out)
        },
        Family("kube_pod_status_ready", "Describes whether the pod is ready to serve requests.", .stable, labels: ["condition"]) { pod, out in
            for condition in pod.status.conditions where condition.type == "Ready" { KubeStateRules.condition(condition.status, into: &out) }
        },
        Family("kube_pod_status_ready_time", "Readiness achieved time in unix timestamp for a pod.") { pod, out in
            transitionTime(of: "Ready", in: pod, when: "True", into: &out)
        },
        Family("kube_pod_status_initialized_time", "Initialized time in unix timestamp for a pod.") { pod, out in
            transitionTime(of: "Initialized", in: pod, when: "True", into: &out)
        },
        Family("kube_pod_status_container_ready_time", "Readiness achieved time in unix timestamp for a pod containers.") { pod, out in
            transitionTime(of: "ContainersReady", in: pod, when: "True", into: &out)
        },
        Family("kube_pod_status_reason", "The pod status reasons", labels: ["reason"]) { pod, out in
            for reason in PodStatusReason.reasons(of: pod) { out.add(reason, 1) }
        },
        Family("kube_pod_status_disruption_reason", "The pod disruption condition reason", labels: ["reason"]) { pod, out in
            for condition in pod.status.conditions where condition.type == "DisruptionTarget" {
                out.add(PodStatusReason.disruption(condition.reason), 1)
            }
        },
        Family("kube_pod_status_scheduled", "Describes the status of the scheduling process for the pod.", .stable, labels: ["condition"]) { pod, out in
            for condition in pod.status.conditions where condition.type == "PodScheduled" { KubeStateRules.condition(condition.status, into: &out) }
        },
        Family("kube_pod_status_scheduled_time", "Unix timestamp when pod moved into scheduled status", .stable) { pod, out in
            transitionTime(of: "PodScheduled", in: pod, when: "True", into: &out)
        },
        .gauge("kube_pod_status_unschedulable", "Describes the unschedulable status for the pod.", .stable) { pod in
            pod.status.conditions.contains { $0.type == "PodScheduled" && $0.status == "False" } ? 1 : nil
        },
        Family("kube_pod_status_unscheduled_time", "Unix timestamp when pod moved into unscheduled status") { pod, out in
            transitionTime(of: "PodScheduled", in: pod, when: "False", into: &out)
        },
        Family("kube_pod_tolerations", "Information about the pod tolerations",
               labels: ["key", "operator", "value", "effect", "toleration_seconds"]) { pod, out in
            // A pod has a few tolerations: looking back costs less than hashing them.
            for (index, toleration) in pod.spec.tolerations.enumerated() where !pod.spec.tolerations[..<index].contains(toleration) {
                out.add([toleration.key, toleration.operator, toleration.value, toleration.effect,
                         toleration.tolerationSeconds.map(String.init) ?? ""], 1)
            }
        },
        Family("kube_pod_nodeselectors", "Describes the Pod nodeSelectors.", dynamic: true, optIn: true) { pod, out in
            let (names, values) = PrometheusLabelKeys.names(for: pod.spec.nodeSelector, prefix: "nodeselector")
            out.add(names: names, values: values, 1)
        },
        .info("kube_pod_service_account", "The service account for a pod.", labels: ["service_account"]) { pod in
            [pod.spec.serviceAccountName]
        },
        .info("kube_pod_scheduler", "The scheduler for a pod.", labels: ["name"]) { pod in
            [pod.spec.schedulerName]
        },
    ]

    // MARK: Rules the pod families share

    // The container loops below reach fields through the array (`containers[index].name`)
    // instead of taking each container out of it: a container taken out is a copy,
    // every string and array in it retained and then released.

    /// A join: each spec container with its status (a status without a spec container has no info).
    private static func containerInfo(_ containers: [Container], _ statuses: [ContainerStatus], into out: inout SampleWriter,
                                      extra: (Container) -> [String]) {
        for index in containers.indices {
            for status in statuses where status.name == containers[index].name {
                out.add([status.name, containers[index].image, status.image, status.imageID, status.containerID] + extra(containers[index]), 1)
            }
        }
    }

    /// Requests or limits of each container, by kube-state-metrics' unit rules, sorted
    /// by resource name (Go's map order is random, so there is no order to copy).
    private static func resources(_ containers: [Container], limits: Bool, node: String, into out: inout SampleWriter) {
        for index in containers.indices {
            for entry in limits ? containers[index].limits : containers[index].requests {
                ResourceUnit.pod(entry.name, entry.quantity) { unit, value in
                    out.add([containers[index].name, node, PrometheusLabelKeys.sanitized(entry.name), unit], value)
                }
            }
        }
    }

    private static func stateStarted(_ statuses: [ContainerStatus], into out: inout SampleWriter) {
        for status in statuses {
            if let running = status.state.running {
                out.add(status.name, KubeStateRules.seconds(running.startedAt))
            } else if let terminated = status.state.terminated {
                out.add(status.name, KubeStateRules.seconds(terminated.startedAt))
            }
        }
    }

    private static func lastExitCode(_ statuses: [ContainerStatus], into out: inout SampleWriter) {
        for status in statuses {
            if let last = status.lastState.terminated { out.add(status.name, Double(last.exitCode)) }
        }
    }

    private static func lastTerminated(_ statuses: [ContainerStatus], into out: inout SampleWriter) {
        for status in statuses {
            if let last = status.lastState.terminated { out.add(status.name, KubeStateRules.seconds(last.finishedAt)) }
        }
    }

    private static func transitionTime(of type: String, in pod: Pod, when status: String, into out: inout SampleWriter) {
        for condition in pod.status.conditions where condition.type == type && condition.status == status {
            out.add(KubeStateRules.seconds(condition.lastTransitionTime))
        }
    }

    /// PVC-backed volumes: (volume, claim, ephemeral, read-only). An ephemeral volume's
    /// claim is generated as `<pod>-<volume>` and is never read-only.
    private static func claimVolumes(_ pod: Pod) -> [(String, String, String, Bool)] {
        pod.spec.volumes.compactMap { volume in
            if let claim = volume.persistentVolumeClaim { return (volume.name, claim.claimName, "false", claim.readOnly) }
            if volume.ephemeral { return (volume.name, pod.metadata.name + "-" + volume.name, "true", false) }
            return nil
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
        // The reasons present, usually none (a running pod's conditions have none):
        // gathered first, so that most pods compare nothing and none hashes anything.
        var present: [String] = []
        if !pod.status.reason.isEmpty { present.append(pod.status.reason) }
        for condition in pod.status.conditions where !condition.reason.isEmpty { present.append(condition.reason) }
        for status in pod.status.containerStatuses {
            if let reason = status.state.terminated?.reason, !reason.isEmpty { present.append(reason) }
        }
        var reasons = present.isEmpty ? [] : known.filter(present.contains)
        if !pod.status.reason.isEmpty && !known.contains(pod.status.reason) { reasons.append("Other") }
        return reasons
    }

    static func disruption(_ reason: String) -> String {
        disruptions.contains(reason) ? reason : "Other"
    }
}
