/// The labels of one series: names and values in the order they are written.
///
/// Series of one family usually share a single `names` array; Swift arrays are
/// copy-on-write, so that sharing costs one reference per series, not one copy.
public struct LabelSet: Sendable, Hashable {
    public let names: [String]
    public let values: [String]

    public init(names: [String], values: [String]) {
        precondition(names.count == values.count, "label names and values differ in count")
        self.names = names
        self.values = values
    }

    public static let empty = LabelSet(names: [], values: [])

    public var isEmpty: Bool { names.isEmpty }
    public var count: Int { names.count }

    /// The value of the label called `name`, if the set has one.
    public subscript(name: String) -> String? {
        guard let index = names.firstIndex(of: name) else { return nil }
        return values[index]
    }
}
