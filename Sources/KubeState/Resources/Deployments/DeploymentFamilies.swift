import KubeWatch

/// kube-state-metrics' deployment families (internal/store/deployment.go), in its
/// output order. Every sample starts with `namespace, deployment`.
extension Deployment {
    public static let families: [Family<Deployment>] = [
        .owner("kube_deployment_owner", "Information about the Deployment's owner.", controllerLabel: false),
        .created("kube_deployment_created"),
        .gauge("kube_deployment_status_replicas", "The number of replicas per deployment.", .stable) { Double($0.status.replicas) },
        .gauge("kube_deployment_status_replicas_ready", "The number of ready replicas per deployment.", .stable) { Double($0.status.readyReplicas) },
        .gauge("kube_deployment_status_replicas_available", "The number of available replicas per deployment.", .stable) {
            Double($0.status.availableReplicas)
        },
        .gauge("kube_deployment_status_replicas_unavailable", "The number of unavailable replicas per deployment.", .stable) {
            Double($0.status.unavailableReplicas)
        },
        .gauge("kube_deployment_status_replicas_updated", "The number of updated replicas per deployment.", .stable) {
            Double($0.status.updatedReplicas)
        },
        .gauge("kube_deployment_status_terminating_replicas", "The number of terminating replicas per deployment.") {
            $0.status.terminatingReplicas.map(Double.init)
        },
        .gauge("kube_deployment_status_observed_generation", "The generation observed by the deployment controller.", .stable) {
            Double($0.status.observedGeneration)
        },
        Family("kube_deployment_status_condition", "The current status conditions of a deployment.", .stable,
               labels: ["reason", "condition", "status"]) { deployment, out in
            for condition in deployment.status.conditions {
                let reason = allowedReasons.contains(condition.reason) ? condition.reason : "unknown"
                KubeStateRules.condition(condition.status, after: [reason, condition.type], into: &out)
            }
        },
        .gauge("kube_deployment_spec_replicas", "Number of desired pods for a deployment.", .stable) { $0.spec.replicas.map(Double.init) },
        .gauge("kube_deployment_spec_paused", "Whether the deployment is paused and will not be processed by the deployment controller.", .stable) {
            $0.spec.paused ? 1 : 0
        },
        .gauge("kube_deployment_spec_strategy_rollingupdate_max_unavailable", "Maximum number of unavailable replicas during a rolling update of a deployment.", .stable) {
            guard let replicas = $0.spec.replicas else { return nil }
            return $0.spec.rollingUpdate?.maxUnavailable?.scaled(total: replicas, roundUp: false)
        },
        .gauge("kube_deployment_spec_strategy_rollingupdate_max_surge", "Maximum number of replicas that can be scheduled above the desired number of replicas during a rolling update of a deployment.", .stable) {
            guard let replicas = $0.spec.replicas else { return nil }
            return $0.spec.rollingUpdate?.maxSurge?.scaled(total: replicas, roundUp: true)
        },
        .generation("kube_deployment_metadata_generation", "Sequence number representing a specific generation of the desired state."),
        .deletionTimestamp("kube_deployment_deletion_timestamp"),
        .annotations("kube_deployment_annotations"),
        .labels("kube_deployment_labels"),
    ]

    /// The deployment controller's condition reasons; any other shows as "unknown".
    static let allowedReasons: Set<String> = [
        "ReplicaSetUpdated", "ReplicaSetCreateError", "NewReplicaSetCreated", "FoundNewReplicaSet", "NewReplicaSetAvailable",
        "ProgressDeadlineExceeded", "DeploymentPaused", "DeploymentResumed", "MinimumReplicasAvailable", "MinimumReplicasUnavailable", "",
    ]
}
