/// One entry of a `ResourceList` (`cpu: 500m`), as resource lists are kept: sorted
/// by name (Go's map order is random, so kube-state-metrics has none to copy).
public struct ResourceQuantity: Sendable, Hashable {
    public var name: String
    public var quantity: Quantity

    public init(_ name: String, _ quantity: Quantity) {
        self.name = name
        self.quantity = quantity
    }
}

extension JSONReader {
    public mutating func read(_ value: inout Quantity?) throws {
        guard let text = try readString() else { return }
        do {
            value = try Quantity(parsing: text)
        } catch {
            throw MalformedField(field: "quantity", value: text)
        }
    }

    public mutating func read(_ value: inout [ResourceQuantity]) throws {
        try readObject { reader, key in
            var quantity: Quantity?
            try reader.read(&quantity)
            if let quantity { value.append(ResourceQuantity(key.string, quantity)) }
        }
        value.sort { $0.name < $1.name }
    }
}
