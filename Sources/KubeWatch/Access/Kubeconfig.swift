import HTTP2Transport
import Yams

/// What Telegen takes from a kubeconfig: the current context's cluster and user.
/// Several files (a `KUBECONFIG` list) merge as kubectl merges them: for every
/// cluster, user and context name, and for `current-context`, the first file that
/// sets it wins.
public struct Kubeconfig: Sendable, Equatable {
    public var server: String
    public var certificateAuthority: TLSConfiguration.Source?
    public var insecureSkipTLSVerify = false
    public var tlsServerName: String?
    public var clientCertificate: TLSConfiguration.Source?
    public var clientKey: TLSConfiguration.Source?
    public var token: String?
    public var tokenFile: String?
    public var namespace: String?

    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "kubeconfig \(path): \(reason)" }
    }

    /// Loads and merges the files (`KUBECONFIG` is `:`-separated); missing files in a
    /// list are skipped, as kubectl does, but at least one must exist.
    public static func load(paths: [String]) throws(Invalid) -> Kubeconfig {
        var documents: [(path: String, root: [String: Any])] = []
        for path in paths where !path.isEmpty {
            guard LocalFile.version(path) != nil else { continue }
            let text: String
            do {
                text = try LocalFile.text(path)
            } catch {
                throw Invalid(path: path, reason: error.reason)
            }
            documents.append((path, try parse(text, path: path)))
        }
        guard !documents.isEmpty else { throw Invalid(path: paths.joined(separator: ":"), reason: "no such file") }
        return try select(from: documents)
    }

    static func parse(_ text: String, path: String) throws(Invalid) -> [String: Any] {
        let composed: Node?
        do {
            composed = try Yams.compose(yaml: text)
        } catch {
            throw Invalid(path: path, reason: "not YAML: \(yamlProblem(error))")
        }
        // Yams' constructor traps on a mapping key that is not a scalar (`? [a]: b`), and
        // aliases can make a small file a huge tree: check before constructing.
        var budget = maximumNodes
        if let composed, let problem = unusualNode(composed, budget: &budget) {
            throw Invalid(path: path, reason: problem)
        }
        guard let root = composed?.any as? [String: Any] else { throw Invalid(path: path, reason: "expected a mapping at the top") }
        return root
    }

    /// Far more nodes than any kubeconfig has, and few enough to construct at once.
    static let maximumNodes = 100_000

    /// What makes the tree unfit to construct: a mapping key that is not a scalar, or
    /// more than `budget` nodes (aliases expanded); nil when it is fine.
    private static func unusualNode(_ node: Node, budget: inout Int) -> String? {
        budget -= 1
        guard budget >= 0 else { return "more than \(maximumNodes) nodes (aliases expanded)" }
        switch node {
        case .scalar, .alias:
            return nil
        case .sequence(let sequence):
            for item in sequence {
                if let problem = unusualNode(item, budget: &budget) { return problem }
            }
            return nil
        case .mapping(let mapping):
            for (key, value) in mapping {
                guard case .scalar = key else {
                    let mark = key.mark.map { "line \($0.line), column \($0.column): " } ?? ""
                    return "\(mark)a mapping key that is not a scalar"
                }
                if let problem = unusualNode(value, budget: &budget) { return problem }
            }
            return nil
        }
    }

    /// Where the YAML is broken and how, without Yams' excerpt of the offending line:
    /// in a kubeconfig that line may hold a token or a key.
    private static func yamlProblem(_ error: any Error) -> String {
        switch error as? YamlError {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            "line \(mark.line), column \(mark.column): \(problem)"
        case .duplicatedKeysInMapping(let duplicates, let context):
            "line \(context.mark.line), column \(context.mark.column): duplicate key \(duplicates.map { "\"\($0)\"" }.joined(separator: ", "))"
        case .reader(let problem, _, _, _):
            problem
        default:
            "cannot be parsed"
        }
    }

    /// The merged view of the documents, resolved for the current context.
    static func select(from documents: [(path: String, root: [String: Any])]) throws(Invalid) -> Kubeconfig {
        let where_ = documents.map(\.path).joined(separator: ":")
        guard let current = documents.lazy.compactMap({ $0.root["current-context"] as? String }).first(where: { !$0.isEmpty }) else {
            throw Invalid(path: where_, reason: "no current-context")
        }
        guard let (contextPath, context) = named(current, in: "contexts", field: "context", documents) else {
            throw Invalid(path: where_, reason: "context \"\(current)\" is not defined")
        }
        guard let clusterName = context["cluster"] as? String,
              let (clusterPath, cluster) = named(clusterName, in: "clusters", field: "cluster", documents) else {
            throw Invalid(path: contextPath, reason: "context \"\(current)\" names no defined cluster")
        }
        guard let server = cluster["server"] as? String, !server.isEmpty else {
            throw Invalid(path: clusterPath, reason: "cluster \"\(clusterName)\" has no server")
        }
        var config = Kubeconfig(server: server)
        config.namespace = context["namespace"] as? String
        config.certificateAuthority = try source(cluster, file: "certificate-authority", data: "certificate-authority-data", relativeTo: clusterPath)
        config.insecureSkipTLSVerify = cluster["insecure-skip-tls-verify"] as? Bool ?? false
        // As client-go: a CA says which server to trust, skipping verification trusts any;
        // both at once is a mistake, not a choice between them.
        if config.insecureSkipTLSVerify && config.certificateAuthority != nil {
            throw Invalid(path: clusterPath, reason: "cluster \"\(clusterName)\": specifying a root certificates file with the insecure flag is not allowed")
        }
        config.tlsServerName = cluster["tls-server-name"] as? String

        if let userName = context["user"] as? String, !userName.isEmpty {
            guard let (userPath, user) = named(userName, in: "users", field: "user", documents) else {
                throw Invalid(path: contextPath, reason: "context \"\(current)\" names user \"\(userName)\", which is not defined")
            }
            if user["exec"] != nil || user["auth-provider"] != nil {
                throw Invalid(path: userPath, reason: "user \"\(userName)\" authenticates with an exec or auth-provider plugin, which Telegen does not run; use a token, a token file or a client certificate")
            }
            config.token = (user["token"] as? String).flatMap { $0.isEmpty ? nil : $0 }
            config.tokenFile = (user["tokenFile"] as? String).flatMap { $0.isEmpty ? nil : resolve($0, relativeTo: userPath) }
            config.clientCertificate = try source(user, file: "client-certificate", data: "client-certificate-data", relativeTo: userPath)
            config.clientKey = try source(user, file: "client-key", data: "client-key-data", relativeTo: userPath)
            if (config.clientCertificate == nil) != (config.clientKey == nil) {
                throw Invalid(path: userPath, reason: "user \"\(userName)\" has a client certificate without a key, or a key without a certificate")
            }
        }
        return config
    }

    /// The entry called `name` in a named list (`clusters`, `users`, `contexts`), first file first.
    private static func named(_ name: String, in list: String, field: String,
                              _ documents: [(path: String, root: [String: Any])]) -> (String, [String: Any])? {
        for document in documents {
            for entry in document.root[list] as? [[String: Any]] ?? [] where entry["name"] as? String == name {
                return (document.path, entry[field] as? [String: Any] ?? [:])
            }
        }
        return nil
    }

    /// Inline data wins over a file, as in client-go.
    private static func source(_ section: [String: Any], file: String, data: String,
                               relativeTo path: String) throws(Invalid) -> TLSConfiguration.Source? {
        if let encoded = section[data] as? String, !encoded.isEmpty {
            do {
                return .data(try Base64.decode(encoded))
            } catch {
                throw Invalid(path: path, reason: "\(data) is not base64")
            }
        }
        if let name = section[file] as? String, !name.isEmpty {
            return .file(resolve(name, relativeTo: path))
        }
        return nil
    }

    /// Relative paths in a kubeconfig are relative to the file's directory.
    static func resolve(_ file: String, relativeTo kubeconfig: String) -> String {
        guard !file.hasPrefix("/") else { return file }
        guard let slash = kubeconfig.lastIndex(of: "/") else { return file }
        return String(kubeconfig[...slash]) + file
    }
}
