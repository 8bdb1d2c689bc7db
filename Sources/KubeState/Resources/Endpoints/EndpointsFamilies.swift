import KubeWatch

/// kube-state-metrics' endpoint families (internal/store/endpoint.go), in its output
/// order. Every sample starts with `namespace, endpoint`.
extension Endpoints {
    public static let families: [Family<Endpoints>] = [
        .gauge("kube_endpoint_info", "Information about endpoint.", .stable) { _ in 1 },
        .created("kube_endpoint_created"),
        .annotations("kube_endpoint_annotations"),
        .labels("kube_endpoint_labels"),
        Family("kube_endpoint_address", "Information about Endpoint available and non available addresses.", .stable,
               labels: ["port_protocol", "port_number", "port_name", "ip", "ready"]) { endpoints, out in
            // Addresses are written per port: a subset without ports has none.
            for subset in endpoints.subsets {
                for port in subset.ports {
                    let head = [port.protocol, String(port.port), port.name]
                    for address in subset.addresses { out.add(head + [address.ip, "true"], 1) }
                    for address in subset.notReadyAddresses { out.add(head + [address.ip, "false"], 1) }
                }
            }
        },
        // Stable, and deprecated since v2.14.0 (`.deprecated` writes both marks).
        Family("kube_endpoint_ports", "Information about the Endpoint ports.", .deprecated(since: "v2.14.0"),
               labels: ["port_name", "port_protocol", "port_number"]) { endpoints, out in
            for subset in endpoints.subsets {
                for port in subset.ports { out.add([port.name, port.protocol, String(port.port)], 1) }
            }
        },
    ]
}
