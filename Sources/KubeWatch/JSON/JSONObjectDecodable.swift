/// A type read from a JSON object member by member, as the API serves it: one
/// `case` per field it keeps, every other member skipped unparsed. Missing members and
/// `null` leave the default; a member of the wrong type throws, and the object is
/// then malformed (skipped and counted by the reflector, never the whole page).
///
/// Requirements: `init()` makes the value an absent object reads as;
/// `decodeMember` consumes the member's value exactly once — reads it, or calls
/// `reader.skipValue()` in its `default:` case.
public protocol JSONObjectDecodable {
    init()
    mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws
}

extension JSONObjectDecodable {
    /// Decodes one whole JSON document.
    public init(json: UnsafeBufferPointer<UInt8>, context: DecodingContext = DecodingContext()) throws {
        self.init()
        var reader = JSONReader(json)
        try reader.read(&self, context)
        try reader.finish()
    }

    /// Decodes the object at the start of `bytes`, which may go on past it (the rest
    /// of a LIST's chunk), and sets `consumed` to the bytes it took. What follows the
    /// object is not looked at.
    public init(jsonPrefix bytes: UnsafeBufferPointer<UInt8>, context: DecodingContext = DecodingContext(),
                consumed: inout Int) throws {
        self.init()
        var reader = JSONReader(bytes)
        try reader.read(&self, context)
        consumed = reader.offset
    }
}

/// What decoding keeps beyond the fixed fields of a kind: the labels and annotations an
/// allowlist names (the rest are most of an object's text and are skipped), and
/// annotations a kind's families read whatever the allowlist says.
///
/// A value type over one shared, immutable reference: a context is copied for every
/// object and into nested decodes, and copying its six sets and arrays one by one —
/// six reference counts up and down each time — was a few percent of a pod's ingest.
public struct DecodingContext: Sendable, Equatable {
    private final class Fields: Sendable, Equatable {
        let labels: KeyAllowlist
        let annotations: KeyAllowlist
        let capturedAnnotations: Set<String>
        let capturedLabels: Set<String>
        let optIn: Set<String>
        let tableColumns: [String]

        init(labels: KeyAllowlist, annotations: KeyAllowlist, capturedAnnotations: Set<String>, capturedLabels: Set<String>,
             optIn: Set<String>, tableColumns: [String]) {
            self.labels = labels
            self.annotations = annotations
            self.capturedAnnotations = capturedAnnotations
            self.capturedLabels = capturedLabels
            self.optIn = optIn
            self.tableColumns = tableColumns
        }

        static func == (lhs: Fields, rhs: Fields) -> Bool {
            lhs === rhs
                || (lhs.labels == rhs.labels && lhs.annotations == rhs.annotations && lhs.capturedAnnotations == rhs.capturedAnnotations
                    && lhs.capturedLabels == rhs.capturedLabels && lhs.optIn == rhs.optIn && lhs.tableColumns == rhs.tableColumns)
        }
    }

    private var fields: Fields

    public var labels: KeyAllowlist { fields.labels }
    public var annotations: KeyAllowlist { fields.annotations }
    /// Annotations read into `ObjectMeta.capturedAnnotations` (a static pod's
    /// `kubernetes.io/config.mirror`, a PVC's beta storage-class annotation).
    public var capturedAnnotations: Set<String> { fields.capturedAnnotations }
    /// Labels read into `ObjectMeta.capturedLabels` whatever the allowlist says
    /// (application metrics' `app.kubernetes.io/name`).
    public var capturedLabels: Set<String> { fields.capturedLabels }
    /// Opt-in families that need fields otherwise skipped (`kube_pod_nodeselectors`).
    public var optIn: Set<String> { fields.optIn }

    /// For objects read as rows of a server-side `Table`: the names of its columns,
    /// which the row's `cells` follow (they can change between lists, so settable).
    public var tableColumns: [String] {
        get { fields.tableColumns }
        set {
            fields = Fields(labels: labels, annotations: annotations, capturedAnnotations: capturedAnnotations,
                            capturedLabels: capturedLabels, optIn: optIn, tableColumns: newValue)
        }
    }

    public init(labels: KeyAllowlist = .none, annotations: KeyAllowlist = .none, capturedAnnotations: Set<String> = [],
                capturedLabels: Set<String> = [], optIn: Set<String> = [], tableColumns: [String] = []) {
        fields = Fields(labels: labels, annotations: annotations, capturedAnnotations: capturedAnnotations,
                        capturedLabels: capturedLabels, optIn: optIn, tableColumns: tableColumns)
    }
}

/// A field whose value the API would never send: a time that is not RFC 3339, a
/// quantity that does not parse.
public struct MalformedField: Error, Equatable, CustomStringConvertible {
    public var field: String
    public var value: String

    public init(field: String, value: String) {
        self.field = field
        self.value = value
    }

    public var description: String { "malformed \(field): \"\(value)\"" }
}

// MARK: Typed members

// The generic reads are inlinable so that a kind's module specializes them for its
// types: unspecialized, every nested object and array element looked up its generic
// metadata at run time (2% of a pod's ingest).
extension JSONReader {
    @inlinable
    public mutating func read<Object: JSONObjectDecodable>(_ value: inout Object, _ context: DecodingContext) throws {
        try readObject { reader, key in try value.decodeMember(key, from: &reader, context: context) }
    }

    /// `null` or absent stays nil; an object, even `{}`, is read.
    @inlinable
    public mutating func read<Object: JSONObjectDecodable>(_ value: inout Object?, _ context: DecodingContext) throws {
        if try peek() == .null { return try skipValue() }
        var object = Object()
        try read(&object, context)
        value = object
    }

    @inlinable
    public mutating func read<Object: JSONObjectDecodable>(_ value: inout [Object], _ context: DecodingContext) throws {
        try readArray { reader in
            var element = Object()
            try reader.read(&element, context)
            // Room for four at the first: growing one by one (1, 2, 4) allocated two or
            // three times for a pod's containers or conditions.
            if value.capacity == 0 { value.reserveCapacity(4) }
            // Moved, not copied: a copy retained every string of the element, and
            // the local's end released them again.
            value.append(consume element)
        }
    }

    public mutating func read(_ value: inout String) throws {
        value = try readString() ?? ""
    }

    public mutating func read(_ value: inout String?) throws {
        value = try readString()
    }

    public mutating func read(_ value: inout [String]) throws {
        try readArray { reader in value.append(try reader.readString() ?? "") }
    }

    public mutating func read(_ value: inout Int64) throws {
        value = try readInt() ?? 0
    }

    public mutating func read(_ value: inout Int64?) throws {
        value = try readInt()
    }

    public mutating func read(_ value: inout Bool) throws {
        value = try readOptionalBool() ?? false
    }

    public mutating func read(_ value: inout Bool?) throws {
        value = try readOptionalBool()
    }

    public mutating func read(_ value: inout Double?) throws {
        value = try readDouble()
    }

    /// `true`, `false`, or nil for `null`.
    public mutating func readOptionalBool() throws -> Bool? {
        if try peek() == .null {
            try skipValue()
            return nil
        }
        return try readBool()
    }

    /// A `string: string` map, keeping the keys `allowlist` names, in key order.
    public mutating func read(_ value: inout [KeyValue], keeping allowlist: KeyAllowlist) throws {
        guard !allowlist.isNone else { return try skipValue() }
        try readObject { reader, key in
            let name = key.string
            if allowlist.contains(name) {
                value.append(KeyValue(name, try reader.readString() ?? ""))
            } else {
                try reader.skipValue()
            }
        }
        value.sort { $0.key < $1.key }
    }
}
