/// Chooses a metric's signal metadata by its name prefix; the longest matching
/// prefix wins, so `kube_poddisruptionbudget_` is not mistaken for `kube_pod_`.
public struct SignalMetadataTable: Sendable {
    public struct Entry: Sendable, Hashable {
        public var prefix: String
        public var metadata: SignalMetadata

        public init(prefix: String, metadata: SignalMetadata) {
            self.prefix = prefix
            self.metadata = metadata
        }
    }

    /// Sorted longest prefix first, so the first match is the most specific one.
    public let entries: [Entry]

    public init(_ entries: [Entry]) {
        self.entries = entries.sorted { $0.prefix.utf8.count > $1.prefix.utf8.count }
    }

    public func metadata(for metricName: String) -> SignalMetadata? {
        entries.first { metricName.hasPrefix($0.prefix) }?.metadata
    }
}

extension SignalMetadataTable {
    /// The table for every family Telegen emits.
    public static let telegen = SignalMetadataTable(
        kubeState + container + node + agent
    )

    private static func entry(
        _ prefix: String, _ category: String, _ subcategory: String,
        _ module: String, _ collectorType: String, _ description: String
    ) -> Entry {
        Entry(prefix: prefix, metadata: SignalMetadata(
            category: category, subcategory: subcategory, sourceModule: module,
            collectorType: collectorType, description: description))
    }

    private static func kube(_ prefix: String, _ subcategory: String, _ description: String) -> Entry {
        entry(prefix, "Kubernetes State", subcategory, "telegen/kubestate", "api", description)
    }

    private static let kubeState: [Entry] = [
        kube("kube_", "Other Objects", "Kubernetes object state from the API server"),
        kube("kube_pod_", "Pod Metrics", "Pod state and status from the Kubernetes API"),
        kube("kube_deployment_", "Deployment Metrics", "Deployment state from the Kubernetes API"),
        kube("kube_node_", "Node Metrics", "Node state and capacity from the Kubernetes API"),
        kube("kube_statefulset_", "StatefulSet Metrics", "StatefulSet state from the Kubernetes API"),
        kube("kube_daemonset_", "DaemonSet Metrics", "DaemonSet state from the Kubernetes API"),
        kube("kube_replicaset_", "ReplicaSet Metrics", "ReplicaSet state from the Kubernetes API"),
        kube("kube_replicationcontroller_", "ReplicationController Metrics", "ReplicationController state from the Kubernetes API"),
        kube("kube_job_", "Job Metrics", "Job state and completion from the Kubernetes API"),
        kube("kube_cronjob_", "CronJob Metrics", "CronJob schedule and status from the Kubernetes API"),
        kube("kube_service_", "Service Metrics", "Service configuration from the Kubernetes API"),
        kube("kube_endpoint_", "Endpoint Metrics", "Endpoints from the Kubernetes API"),
        kube("kube_endpointslice_", "Endpoint Metrics", "EndpointSlices from the Kubernetes API"),
        kube("kube_ingress_", "Ingress Metrics", "Ingress configuration from the Kubernetes API"),
        kube("kube_ingressclass_", "Ingress Metrics", "IngressClasses from the Kubernetes API"),
        kube("kube_networkpolicy_", "Network Policy Metrics", "NetworkPolicies from the Kubernetes API"),
        kube("kube_namespace_", "Namespace Metrics", "Namespace status from the Kubernetes API"),
        kube("kube_resourcequota", "Quota Metrics", "ResourceQuota usage from the Kubernetes API"),
        kube("kube_limitrange", "Quota Metrics", "LimitRanges from the Kubernetes API"),
        kube("kube_persistentvolumeclaim_", "Storage Metrics", "PersistentVolumeClaim state from the Kubernetes API"),
        kube("kube_persistentvolume_", "Storage Metrics", "PersistentVolume state from the Kubernetes API"),
        kube("kube_storageclass_", "Storage Metrics", "StorageClasses from the Kubernetes API"),
        kube("kube_volumeattachment_", "Storage Metrics", "VolumeAttachments from the Kubernetes API"),
        kube("kube_configmap_", "ConfigMap Metrics", "ConfigMap metadata from the Kubernetes API"),
        kube("kube_secret_", "Secret Metrics", "Secret metadata (never contents) from the Kubernetes API"),
        kube("kube_horizontalpodautoscaler_", "Autoscaling Metrics", "HorizontalPodAutoscaler state from the Kubernetes API"),
        kube("kube_poddisruptionbudget_", "Disruption Budget Metrics", "PodDisruptionBudget state from the Kubernetes API"),
        kube("kube_lease_", "Lease Metrics", "Leases from the Kubernetes API"),
        kube("kube_certificatesigningrequest_", "Certificate Metrics", "CertificateSigningRequests from the Kubernetes API"),
        kube("kube_mutatingwebhookconfiguration_", "Admission Metrics", "Mutating webhooks from the Kubernetes API"),
        kube("kube_validatingwebhookconfiguration_", "Admission Metrics", "Validating webhooks from the Kubernetes API"),
        kube("kube_mutatingadmissionpolicy", "Admission Metrics", "Mutating admission policies from the Kubernetes API"),
        kube("kube_validatingadmissionpolicy", "Admission Metrics", "Validating admission policies from the Kubernetes API"),
        kube("kube_clusterrole_", "RBAC Metrics", "ClusterRoles from the Kubernetes API"),
        kube("kube_clusterrolebinding_", "RBAC Metrics", "ClusterRoleBindings from the Kubernetes API"),
        kube("kube_role_", "RBAC Metrics", "Roles from the Kubernetes API"),
        kube("kube_rolebinding_", "RBAC Metrics", "RoleBindings from the Kubernetes API"),
        kube("kube_serviceaccount_", "ServiceAccount Metrics", "ServiceAccounts from the Kubernetes API"),
    ]

    private static func cgroup(_ prefix: String, _ subcategory: String, _ description: String) -> Entry {
        entry(prefix, "Container Metrics", subcategory, "telegen/cadvisor", "procfs", description)
    }

    private static let container: [Entry] = [
        cgroup("container_", "Other", "Container statistics read from cgroups"),
        cgroup("container_cpu_", "CPU Utilization", "Container CPU usage and throttling from cgroups"),
        cgroup("container_memory_", "Memory Utilization", "Container memory usage from cgroups"),
        cgroup("container_oom_", "Memory Utilization", "Container out-of-memory kills from cgroups"),
        cgroup("container_network_", "Network Utilization", "Pod network I/O from the pod's network namespace"),
        cgroup("container_fs_", "Disk Utilization", "Container block I/O from cgroups"),
        cgroup("container_blkio_", "Disk Utilization", "Container block I/O from cgroups"),
        cgroup("container_spec_", "Resource Limits", "Container limits and shares from cgroups"),
        cgroup("container_processes", "Processes", "Container process count from cgroups"),
        cgroup("container_threads", "Processes", "Container thread count from cgroups"),
        cgroup("container_pressure_", "Pressure Stall", "Container pressure stall information from cgroups"),
        cgroup("container_start_time_seconds", "Lifecycle", "Container start time"),
        cgroup("container_last_seen", "Lifecycle", "When the container was last seen"),
        cgroup("machine_", "Machine Capacity", "Machine CPU and memory capacity"),
    ]

    private static func host(_ prefix: String, _ subcategory: String, _ type: String, _ description: String) -> Entry {
        entry(prefix, "Node Metrics", subcategory, "telegen/node", type, description)
    }

    private static let node: [Entry] = [
        host("node_", "Other", "procfs", "Node statistics from the kernel"),
        host("node_cpu_", "CPU Utilization", "procfs", "Per-CPU time by mode from /proc/stat"),
        host("node_memory_", "Memory Utilization", "procfs", "Memory statistics from /proc/meminfo"),
        host("node_load", "Load Average", "procfs", "Load averages from /proc/loadavg"),
        host("node_network_", "Network Utilization", "procfs", "Network device counters from /proc/net/dev"),
        host("node_disk_", "Disk I/O", "procfs", "Block device counters from /proc/diskstats"),
        host("node_filesystem_", "Filesystem Usage", "statfs", "Filesystem space and inodes from statfs"),
        host("node_pressure_", "Pressure Stall", "procfs", "Pressure stall information from /proc/pressure"),
        host("node_boot_time_seconds", "System Activity", "procfs", "Boot time from /proc/stat"),
        host("node_context_switches_total", "System Activity", "procfs", "Context switches from /proc/stat"),
        host("node_intr_total", "System Activity", "procfs", "Interrupts from /proc/stat"),
        host("node_forks_total", "System Activity", "procfs", "Forks from /proc/stat"),
        host("node_procs_", "System Activity", "procfs", "Process states from /proc/stat"),
        host("node_uname_", "System Information", "syscall", "Kernel identity from uname(2)"),
        host("node_time_", "Time", "syscall", "System clock"),
    ]

    private static let agent: [Entry] = [
        entry("telegen_", "Agent Health", "Self Monitoring", "telegen/self", "internal",
              "Telegen's own health, cost and delivery counters"),
    ]
}
