/// `intstr.IntOrString`: a port or a count given either as a number or as a name or
/// percentage (`maxUnavailable: 25%`, `targetPort: http`).
public enum IntOrString: Sendable, Hashable {
    case int(Int64)
    case string(String)

    /// A plain number, or a percentage of `total` rounded as the controllers round
    /// (`intstr.GetScaledValueFromIntOrPercent`, in floating point as it computes);
    /// nil for a string that is neither.
    public func scaled(total: Int64, roundUp: Bool) -> Double? {
        switch self {
        case .int(let value):
            return Double(value)
        case .string(let text):
            guard text.hasSuffix("%"), let percent = Int64(text.dropLast()) else { return nil }
            let exact = Double(percent) * Double(total) / 100
            return roundUp ? exact.rounded(.up) : exact.rounded(.down)
        }
    }
}

extension JSONReader {
    public mutating func read(_ value: inout IntOrString?) throws {
        switch try peek() {
        case .null: try skipValue()
        case .string: value = .string(try readString() ?? "")
        default: value = .int(try readInt() ?? 0)
        }
    }
}
