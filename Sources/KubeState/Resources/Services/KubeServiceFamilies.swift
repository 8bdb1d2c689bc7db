import KubeWatch

/// kube-state-metrics' service families (internal/store/service.go), in its output
/// order. Every sample starts with `namespace, service, uid`.
extension KubeService {
    public static let families: [Family<KubeService>] = [
        .info("kube_service_info", "Information about service.", .stable,
              labels: ["cluster_ip", "external_name", "load_balancer_ip", "external_traffic_policy"]) { service in
            [service.spec.clusterIP, service.spec.externalName, service.spec.loadBalancerIP, service.spec.externalTrafficPolicy]
        },
        .created("kube_service_created"),
        .info("kube_service_spec_type", "Type about service.", .stable, labels: ["type"]) { [$0.spec.type] },
        .annotations("kube_service_annotations"),
        .labels("kube_service_labels"),
        Family("kube_service_spec_external_ip", "Service external ips. One series for each ip", .stable, labels: ["external_ip"]) { service, out in
            for ip in service.spec.externalIPs { out.add(ip, 1) }
        },
        Family("kube_service_status_load_balancer_ingress", "Service load balancer ingress status", .stable,
               labels: ["ip", "hostname"]) { service, out in
            for ingress in service.ingress { out.add([ingress.ip, ingress.hostname], 1) }
        },
        .deletionTimestamp("kube_service_deletion_timestamp"),
    ]
}
