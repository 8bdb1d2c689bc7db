import KubeWatch

/// kube-state-metrics' node families (internal/store/node.go), in its output order.
/// Every sample starts with `node`.
extension Node {
    public static let families: [Family<Node>] = [
        .annotations("kube_node_annotations"),
        .created("kube_node_created"),
        .deletionTimestamp("kube_node_deletion_timestamp"),
        .info("kube_node_info", "Information about a cluster node.", .stable,
              labels: ["kernel_version", "os_image", "container_runtime_version", "kubelet_version", "kubeproxy_version",
                       "provider_id", "pod_cidr", "system_uuid", "internal_ip"]) { node in
            let info = node.status.nodeInfo
            // kube-proxy no longer reports its version; the last InternalIP wins.
            return [info.kernelVersion, info.osImage, info.containerRuntimeVersion, info.kubeletVersion, "deprecated",
                    node.spec.providerID, node.spec.podCIDR, info.systemUUID,
                    node.status.addresses.last { $0.type == "InternalIP" }?.address ?? ""]
        },
        .labels("kube_node_labels"),
        Family("kube_node_role", "The role of a cluster node.", labels: ["role"]) { node, out in
            for role in node.roles { out.add(role, 1) }
        },
        Family("kube_node_spec_pod_cidrs", "The pod CIDRs of a cluster node.", labels: ["pod_cidr"]) { node, out in
            for cidr in node.spec.podCIDRs { out.add(cidr, 1) }
        },
        Family("kube_node_spec_taint", "The taint of a cluster node.", .stable, labels: ["key", "value", "effect"]) { node, out in
            for taint in node.spec.taints { out.add([taint.key, taint.value, taint.effect], 1) }
        },
        .gauge("kube_node_spec_unschedulable", "Whether a node can schedule new pods.", .stable) { $0.spec.unschedulable ? 1 : 0 },
        Family("kube_node_status_allocatable", "The allocatable for different resources of a node that are available for scheduling.", .stable,
               labels: ["resource", "unit"]) { node, out in
            resources(node.status.allocatable, into: &out)
        },
        Family("kube_node_status_capacity", "The capacity for different resources of a node.", .stable,
               labels: ["resource", "unit"]) { node, out in
            resources(node.status.capacity, into: &out)
        },
        Family("kube_node_status_condition", "The condition of a cluster node.", .stable, labels: ["condition", "status"]) { node, out in
            for condition in node.status.conditions { KubeStateRules.condition(condition.status, after: [condition.type], into: &out) }
        },
        Family("kube_node_status_addresses", "Node address information.", labels: ["type", "address"]) { node, out in
            for address in node.status.addresses { out.add([address.type, address.address], 1) }
        },
    ]

    private static func resources(_ list: [ResourceQuantity], into out: inout SampleWriter) {
        for entry in list {
            ResourceUnit.node(entry.name, entry.quantity) { unit, value in
                out.add([PrometheusLabelKeys.sanitized(entry.name), unit], value)
            }
        }
    }
}
