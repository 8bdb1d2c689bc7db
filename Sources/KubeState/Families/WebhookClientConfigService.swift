import KubeWatch
import TelemetryModel

/// What the mutating and validating webhook configurations share: their webhooks, as
/// far as `*_webhook_clientconfig_service` reads them.
public protocol AdmissionWebhookConfiguration: KubeResource {
    var webhooks: [AdmissionWebhook] { get }
}

/// One webhook of a configuration: its name and the in-cluster service the API server
/// calls (nil for a webhook reached by URL).
public struct AdmissionWebhook: Sendable, Hashable, JSONObjectDecodable {
    public var name = ""
    public var service: ServiceReference?

    public init() {}

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        switch key {
        case "name": try reader.read(&name)
        case "clientConfig":
            try reader.readObject { reader, key in
                if key == "service" { try reader.read(&service, context) } else { try reader.skipValue() }
            }
        default: try reader.skipValue()
        }
    }

    public struct ServiceReference: Sendable, Hashable, JSONObjectDecodable {
        public var namespace = ""
        public var name = ""

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "namespace": try reader.read(&namespace)
            case "name": try reader.read(&name)
            default: try reader.skipValue()
            }
        }
    }
}

extension Family where Object: AdmissionWebhookConfiguration {
    /// `*_webhook_clientconfig_service`: one sample per webhook; a webhook reached by
    /// URL has an empty service name and namespace.
    static func webhookClientConfigService(_ name: String, _ help: String) -> Family {
        Family(name, help, labels: ["webhook_name", "service_name", "service_namespace"]) { configuration, out in
            for webhook in configuration.webhooks {
                out.add([webhook.name, webhook.service?.name ?? "", webhook.service?.namespace ?? ""], 1)
            }
        }
    }
}
