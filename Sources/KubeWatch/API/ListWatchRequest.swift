/// One LIST page or one WATCH of a resource, as the query of its GET.
///
/// How much of each object the server sends is a field of the request (`view`), not
/// another code path: secrets and configmaps are read without their contents.
public struct ListWatchRequest: Sendable, Equatable {
    public enum Mode: Sendable, Equatable {
        /// One page: at most `limit` objects (0: no limit), continuing from
        /// `continueToken`. `resourceVersion` (first page only): unset, a consistent read
        /// (etcd); "0", any version (the API server's watch cache, which may ignore
        /// `limit`); a version, one not older than it (the watch cache, without a limit).
        case list(limit: Int, continueToken: String?, resourceVersion: String? = nil)
        /// Changes after `resourceVersion`, with bookmarks, for at most `timeoutSeconds`.
        case watch(resourceVersion: String, timeoutSeconds: Int)
    }

    public var resource: APIResource
    public var mode: Mode
    /// Restricts the request to one namespace (server side).
    public var namespace: String?
    public var fieldSelector: String?
    public var labelSelector: String?
    public var view: ObjectView

    public init(resource: APIResource, mode: Mode, namespace: String? = nil, fieldSelector: String? = nil,
                labelSelector: String? = nil, view: ObjectView = .full) {
        self.resource = resource
        self.mode = mode
        self.namespace = namespace
        self.fieldSelector = fieldSelector
        self.labelSelector = labelSelector
        self.view = view
    }

    /// Path and query.
    public var target: String {
        var query: [(String, String)] = []
        switch mode {
        case .list(let limit, let continueToken, let resourceVersion):
            if limit > 0 { query.append(("limit", String(limit))) }
            if let continueToken, !continueToken.isEmpty {
                query.append(("continue", continueToken))
            } else if let resourceVersion, !resourceVersion.isEmpty {
                query.append(("resourceVersion", resourceVersion))
            }
        case .watch(let resourceVersion, let timeoutSeconds):
            query.append(("watch", "true"))
            query.append(("allowWatchBookmarks", "true"))
            query.append(("resourceVersion", resourceVersion))
            query.append(("timeoutSeconds", String(timeoutSeconds)))
        }
        if let fieldSelector, !fieldSelector.isEmpty { query.append(("fieldSelector", fieldSelector)) }
        if let labelSelector, !labelSelector.isEmpty { query.append(("labelSelector", labelSelector)) }
        if view == .table { query.append(("includeObject", "Metadata")) }
        return resource.path(namespace: namespace) + "?" + query.map { "\($0.0)=\(URLQuery.escape($0.1))" }.joined(separator: "&")
    }

    /// The `accept` header. The reduced views have no fallback to plain JSON: a server
    /// that cannot send them answers 406, which is better than a secret's data.
    public var accept: String {
        switch view {
        case .full:
            return "application/json"
        case .metadata:
            let kind = if case .watch = mode { "PartialObjectMetadata" } else { "PartialObjectMetadataList" }
            return "application/json;as=\(kind);g=meta.k8s.io;v=v1"
        case .table:
            return "application/json;as=Table;g=meta.k8s.io;v=v1"
        }
    }
}

/// Percent-encoding for query values and path segments (RFC 3986 unreserved kept).
enum URLQuery {
    static func escape(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%"
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 0xF)]))
            }
        }
        return out
    }
}

/// How much of each object a LIST or WATCH asks for.
public enum ObjectView: Sendable, Equatable {
    /// The whole object.
    case full
    /// `PartialObjectMetadata`: the metadata only (configmaps).
    case metadata
    /// A server-side `Table` with the metadata of each row's object
    /// (`includeObject=Metadata`): the columns `kubectl get` prints — for a secret its
    /// type and the number of keys, never the data.
    case table
}
