import KubeWatch

/// kube-state-metrics' ingress families (internal/store/ingress.go), in its output
/// order. Every sample starts with `namespace, ingress`.
extension Ingress {
    public static let families: [Family<Ingress>] = [
        .info("kube_ingress_info", "Information about ingress.", .stable, labels: ["ingressclass"]) { [$0.ingressClass] },
        .annotations("kube_ingress_annotations"),
        .labels("kube_ingress_labels"),
        .created("kube_ingress_created"),
        .resourceVersion("kube_ingress_metadata_resource_version", "Resource version representing a specific version of ingress."),
        // Service and resource backends have different labels.
        Family("kube_ingress_path", "Ingress host, paths and backend service information.", .stable, dynamic: true) { ingress, out in
            for rule in ingress.spec.rules {
                for path in rule.paths {
                    if let service = path.service {
                        out.add(names: ["host", "path", "path_type", "service_name", "service_port"],
                                values: [rule.host, path.path, path.pathType, service.name, String(service.port)], 1)
                    } else {
                        // kube-state-metrics would dereference a missing resource (the API
                        // requires one of the two); here it reads as empty.
                        out.add(names: ["host", "path", "path_type", "resource_api_group", "resource_kind", "resource_name"],
                                values: [rule.host, path.path, path.pathType, path.resource.apiGroup, path.resource.kind, path.resource.name], 1)
                    }
                }
            }
        },
        Family("kube_ingress_tls", "Ingress TLS host and secret information.", .stable, labels: ["tls_host", "secret"]) { ingress, out in
            for tls in ingress.spec.tls {
                for host in tls.hosts { out.add([host, tls.secretName], 1) }
            }
        },
    ]
}
