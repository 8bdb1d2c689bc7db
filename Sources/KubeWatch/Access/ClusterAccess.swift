import HTTP2Transport

/// How to reach the Kubernetes API: where, with which TLS settings, and which
/// credential. Chosen in this order (docs/kubewatch.md): `--kubeconfig`, `kubernetes.kubeconfig`,
/// `KUBECONFIG`, then in-cluster.
public struct ClusterAccess: Sendable {
    public enum Origin: Sendable, Equatable, CustomStringConvertible {
        case kubeconfig(String)
        case inCluster

        public var description: String {
            switch self {
            case .kubeconfig(let paths): "kubeconfig \(paths)"
            case .inCluster: "in-cluster service account"
            }
        }
    }

    public var endpoint: HTTP2Endpoint
    public var tls: TLSConfiguration
    public var credential: Credential
    public var origin: Origin

    public struct Unusable: Error, Equatable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// The namespace of the pod this runs in, from its service account's files; nil
    /// outside a pod.
    public static func serviceAccountNamespace(directory: String = serviceAccountDirectory) -> String? {
        guard let text = try? LocalFile.text(directory + "/namespace") else { return nil }
        let namespace = text.trimmingWhitespace()
        return namespace.isEmpty ? nil : namespace
    }

    /// Nil when nothing points at a cluster (no kubeconfig anywhere and not in a pod):
    /// the Kubernetes collectors then stay off.
    public static func resolve(flag: String?, configured: String, environment: [String: String],
                               serviceAccountDirectory: String = serviceAccountDirectory) throws(Unusable) -> ClusterAccess? {
        let explicit = [flag ?? "", configured].first { !$0.isEmpty }
        if let path = explicit {
            return try fromKubeconfig(paths: [path])
        }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            return try fromKubeconfig(paths: list.split(separator: ":").map(String.init))
        }
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
              let port = environment["KUBERNETES_SERVICE_PORT"].flatMap({ Int($0) }) else { return nil }
        return try inCluster(host: host, port: port, directory: serviceAccountDirectory)
    }

    static func fromKubeconfig(paths: [String]) throws(Unusable) -> ClusterAccess {
        let config: Kubeconfig
        do {
            config = try Kubeconfig.load(paths: paths)
        } catch {
            throw Unusable(reason: error.description)
        }
        let endpoint: HTTP2Endpoint
        do {
            endpoint = try HTTP2Endpoint(url: config.server)
        } catch {
            throw Unusable(reason: "kubeconfig \(paths.joined(separator: ":")): server: \(error.reason)")
        }
        let tls = TLSConfiguration(certificateAuthority: config.certificateAuthority, certificate: config.clientCertificate,
                                   privateKey: config.clientKey, serverName: config.tlsServerName,
                                   insecureSkipVerify: config.insecureSkipTLSVerify)
        let credential: Credential
        if let token = config.token {
            credential = .token(token)
        } else if let file = config.tokenFile {
            credential = .tokenFile(file)
        } else {
            credential = .none
        }
        return ClusterAccess(endpoint: endpoint, tls: tls, credential: credential, origin: .kubeconfig(paths.joined(separator: ":")))
    }

    static func inCluster(host: String, port: Int, directory: String) throws(Unusable) -> ClusterAccess {
        let token = directory + "/token", ca = directory + "/ca.crt"
        for file in [token, ca] where LocalFile.version(file) == nil {
            throw Unusable(reason: "KUBERNETES_SERVICE_HOST is set but \(file) is missing: is the service account token mounted?")
        }
        // HTTP2Endpoint holds an IPv6 host bare, as KUBERNETES_SERVICE_HOST gives it.
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return ClusterAccess(endpoint: HTTP2Endpoint(secure: true, host: bare, port: port),
                             tls: TLSConfiguration(certificateAuthority: .file(ca)), credential: .tokenFile(token),
                             origin: .inCluster)
    }
}

/// The bearer credential of a request, if any (a client certificate is part of TLS).
public enum Credential: Sendable, Equatable {
    case none
    case token(String)
    /// Re-read when the file changes: projected service-account tokens rotate hourly.
    case tokenFile(String)
}
