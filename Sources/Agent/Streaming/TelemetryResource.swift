import OTLPWire
import TelemetryModel

/// The OTLP resource Telegen reports as (docs/otlp.md): the agent on one
/// node. `OTEL_RESOURCE_ATTRIBUTES` come last, so a user can override any of these.
enum TelemetryResource {
    static func make(config: AgentConfig, nodeName: String, instanceID: String, environment: [String: String]) -> OTLPResource {
        var attributes: [(String, String)] = [
            ("service.name", "telegen"),
            ("service.version", BuildInfo.version),
            ("service.instance.id", instanceID),
            ("host.name", nodeName),
            ("k8s.node.name", nodeName),
        ]
        if !config.kubernetes.clusterName.isEmpty { attributes.append(("k8s.cluster.name", config.kubernetes.clusterName)) }
        if case .success(let extra) = OTLPEnvironment(environment).resourceAttributes() {
            for (key, value) in extra {
                attributes.removeAll { $0.0 == key }
                attributes.append((key, value))
            }
        }
        if let serviceName = environment["OTEL_SERVICE_NAME"], !serviceName.isEmpty {
            attributes.removeAll { $0.0 == "service.name" }
            attributes.insert(("service.name", serviceName), at: 0)
        }
        return OTLPResource(attributes: attributes.map { LogRecord.Attribute($0.0, .string($0.1)) })
    }
}
