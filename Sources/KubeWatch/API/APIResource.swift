/// A kind of object the API serves, by its REST coordinates: `""/v1/pods`,
/// `apps/v1/deployments`.
public struct APIResource: Sendable, Hashable, CustomStringConvertible {
    /// Empty for the core group.
    public var group: String
    public var version: String
    /// The plural, lower-case resource name in the URL.
    public var resource: String
    public var namespaced: Bool

    public init(group: String, version: String, resource: String, namespaced: Bool) {
        self.group = group
        self.version = version
        self.resource = resource
        self.namespaced = namespaced
    }

    public static let pods = APIResource(group: "", version: "v1", resource: "pods", namespaced: true)
    public static let events = APIResource(group: "", version: "v1", resource: "events", namespaced: true)

    /// `/api/v1/pods`, `/apis/apps/v1/namespaces/shop/deployments`.
    public func path(namespace: String? = nil) -> String {
        var path = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        if namespaced, let namespace, !namespace.isEmpty { path += "/namespaces/\(URLQuery.escape(namespace))" }
        return path + "/" + resource
    }

    public var description: String { group.isEmpty ? "\(version)/\(resource)" : "\(group)/\(version)/\(resource)" }
}
