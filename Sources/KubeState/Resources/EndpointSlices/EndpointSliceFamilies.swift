import KubeWatch

/// kube-state-metrics' endpointslice families (internal/store/endpointslice.go), in
/// its output order. Every sample starts with `endpointslice, namespace`.
extension EndpointSlice {
    public static let families: [Family<EndpointSlice>] = [
        .info("kube_endpointslice_info", "Information about endpointslice.", labels: ["addresstype"]) { [$0.addressType] },
        .created("kube_endpointslice_created", "Unix creation timestamp", .alpha),
        Family("kube_endpointslice_endpoints_hints", "Topology routing hints attached to endpoints",
               labels: ["address", "for_zone"]) { slice, out in
            // Addresses are fungible: the first stands for the endpoint.
            for endpoint in slice.endpoints {
                guard let address = endpoint.addresses.first else { continue }
                for zone in endpoint.forZones { out.add([address, zone], 1) }
            }
        },
        Family("kube_endpointslice_endpoints", "Endpoints attached to the endpointslice.",
               labels: ["ready", "serving", "hostname", "terminating", "targetref_kind", "targetref_name", "targetref_namespace",
                        "endpoint_nodename", "endpoint_zone", "address"]) { slice, out in
            for endpoint in slice.endpoints {
                let head = [condition(endpoint.ready), condition(endpoint.serving), endpoint.hostname ?? "", condition(endpoint.terminating),
                            endpoint.targetRef?.kind ?? "", endpoint.targetRef?.name ?? "", endpoint.targetRef?.namespace ?? "",
                            endpoint.nodeName ?? "", endpoint.zone ?? ""]
                for address in endpoint.addresses { out.add(head + [address], 1) }
            }
        },
        Family("kube_endpointslice_ports", "Ports attached to the endpointslice.",
               labels: ["port_name", "port_protocol", "port_number"]) { slice, out in
            for port in slice.ports { out.add([port.name ?? "", port.protocol ?? "", port.port.map(String.init) ?? ""], 1) }
        },
        .annotations("kube_endpointslice_annotations"),
        .labels("kube_endpointslice_labels", "Kubernetes labels converted to Prometheus labels.", .alpha),
    ]

    /// An unset condition is unknown, not false.
    private static func condition(_ value: Bool?) -> String {
        value.map(KubeStateRules.bool) ?? ""
    }
}
