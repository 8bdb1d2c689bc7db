import TelemetryModel

extension OTLPResource {
    /// This resource with `attributes` added: an attribute this resource already has
    /// takes the given value in its place (the given ones win), new ones follow in order.
    /// A scraped application's resource is the agent's merged with the target's.
    public func merging(_ attributes: [(key: String, value: String)]) -> OTLPResource {
        var merged = self.attributes
        for (key, value) in attributes {
            if let index = merged.firstIndex(where: { $0.key == key }) {
                merged[index].value = .string(value)
            } else {
                merged.append(LogRecord.Attribute(key, .string(value)))
            }
        }
        return OTLPResource(attributes: merged)
    }
}
