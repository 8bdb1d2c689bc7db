/// One entry of a `string: string` map of the API (labels, annotations, selectors),
/// as maps are kept: sorted by key.
public struct KeyValue: Sendable, Hashable {
    public var key: String
    public var value: String

    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}

extension Array where Element == KeyValue {
    /// The value of `key`, if present.
    public subscript(key: String) -> String? {
        first { $0.key == key }?.value
    }
}
