import HTTP2Transport
import Logging

/// The pods Telegen keeps current: one reflector per server-side selection (all
/// namespaces, or one per allowed namespace), all multiplexed over one HTTP/2
/// connection.
public final class PodWatch: Sendable {
    public struct Configuration: Sendable {
        /// `spec.nodeName=<node>`: only this node's pods (a DaemonSet's share).
        public var nodeName: String?
        /// Watch only these namespaces (one watch each); empty means all.
        public var namespaces: [String] = []
        /// Leave these out, by field selector.
        public var excludedNamespaces: [String] = []
        public var decoding = PodDecodingOptions()
        public var pageSize = 500
        public var minimumWatchTimeout: Duration = .seconds(300)
        public var userAgent = "telegen"

        public init() {}

        /// The field selector the API server applies (node and excluded namespaces).
        var fieldSelector: String? {
            var terms: [String] = []
            if let nodeName, !nodeName.isEmpty { terms.append("spec.nodeName=\(nodeName)") }
            terms += excludedNamespaces.map { "metadata.namespace!=\($0)" }
            return terms.isEmpty ? nil : terms.joined(separator: ",")
        }
    }

    public let reflectors: [Reflector<Pod>]

    public init(client: HTTP2Client, token: BearerToken, configuration: Configuration, logger: Logger) {
        let decoder = PodDecoder(options: configuration.decoding)
        let namespaces: [String?] = configuration.namespaces.isEmpty ? [nil] : configuration.namespaces
        reflectors = namespaces.map { namespace in
            var reflectorConfiguration = Reflector<Pod>.Configuration(request: ListWatchRequest(
                resource: .pods, mode: .list(limit: configuration.pageSize, continueToken: nil), namespace: namespace,
                fieldSelector: configuration.fieldSelector))
            reflectorConfiguration.pageSize = configuration.pageSize
            reflectorConfiguration.minimumWatchTimeout = configuration.minimumWatchTimeout
            reflectorConfiguration.userAgent = configuration.userAgent
            var scoped = logger
            scoped[metadataKey: "namespace"] = "\(namespace ?? "*")"
            return Reflector(client: client, token: token, configuration: reflectorConfiguration, logger: scoped) { raw in
                var reader = JSONReader(raw)
                return try decoder.decode(&reader)
            }
        }
    }

    public var stores: [ObjectStore<Pod>] { reflectors.map(\.store) }

    /// True once every reflector has completed its first list.
    public var synced: Bool { reflectors.allSatisfy { $0.statistics.synced } }

    /// Runs every reflector until the task is cancelled.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            for reflector in reflectors {
                group.addTask { await reflector.run() }
            }
        }
    }

    /// The pod with this UID, in whichever store holds it.
    public func pod(uid: String) -> Pod? {
        for store in stores {
            if let pod = store.object(forKey: uid) { return pod }
        }
        return nil
    }
}
