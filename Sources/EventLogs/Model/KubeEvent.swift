import KubeWatch

/// A Kubernetes event as `/api/v1/events` serves it, whichever recorder wrote it: the
/// core/v1 fields, and the events.k8s.io ones the server carries over (`eventTime`,
/// `series`, `reportingComponent`). The events.k8s.io spellings (`note`, `regarding`,
/// `reportingController`, `deprecated*`) are read too, so the same model decodes either
/// API's objects.
public struct KubeEvent: Sendable, Equatable, JSONObjectDecodable {
    public var metadata = ObjectMeta()
    public var involvedObject = ObjectReference()
    public var reason = ""
    public var message = ""
    public var type = ""
    public var action = ""
    public var source = Source()
    public var firstTimestamp: MicroTime?
    public var lastTimestamp: MicroTime?
    public var eventTime: MicroTime?
    /// core/v1 `count`; 0 when absent.
    public var count: Int64 = 0
    public var series: Series?
    public var reportingController = ""
    public var reportingInstance = ""

    public init() {}

    public struct ObjectReference: Sendable, Equatable, JSONObjectDecodable {
        public var kind = ""
        public var namespace = ""
        public var name = ""
        public var uid = ""
        public var apiVersion = ""
        public var resourceVersion = ""
        public var fieldPath = ""

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "kind": try reader.read(&kind)
            case "namespace": try reader.read(&namespace)
            case "name": try reader.read(&name)
            case "uid": try reader.read(&uid)
            case "apiVersion": try reader.read(&apiVersion)
            case "resourceVersion": try reader.read(&resourceVersion)
            case "fieldPath": try reader.read(&fieldPath)
            default: try reader.skipValue()
            }
        }
    }

    public struct Source: Sendable, Equatable, JSONObjectDecodable {
        public var component = ""
        public var host = ""

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "component": try reader.read(&component)
            case "host": try reader.read(&host)
            default: try reader.skipValue()
            }
        }
    }

    /// A recurring event's occurrences up to the last heartbeat.
    public struct Series: Sendable, Equatable, JSONObjectDecodable {
        public var count: Int64 = 0
        public var lastObservedTime: MicroTime?

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "count": try reader.read(&count)
            case "lastObservedTime": try reader.read(&lastObservedTime)
            default: try reader.skipValue()
            }
        }
    }

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        switch key {
        case "metadata": try reader.read(&metadata, context)
        case "involvedObject", "regarding": try reader.read(&involvedObject, context)
        case "reason": try reader.read(&reason)
        case "message", "note": try reader.read(&message)
        case "type": try reader.read(&type)
        case "action": try reader.read(&action)
        case "source", "deprecatedSource": try reader.read(&source, context)
        case "firstTimestamp", "deprecatedFirstTimestamp": try reader.read(&firstTimestamp)
        case "lastTimestamp", "deprecatedLastTimestamp": try reader.read(&lastTimestamp)
        case "eventTime": try reader.read(&eventTime)
        case "count", "deprecatedCount": try reader.read(&count)
        case "series": try reader.read(&series, context)
        case "reportingComponent", "reportingController": try reader.read(&reportingController)
        case "reportingInstance": try reader.read(&reportingInstance)
        default: try reader.skipValue()
        }
    }

    /// How many times it has happened: `count`, else `series.count`, else once.
    public var occurrences: Int64 {
        if count > 0 { return count }
        if let series, series.count > 0 { return series.count }
        return 1
    }

    /// When its latest occurrence happened. A new event: `eventTime`, else
    /// `lastTimestamp`, else `firstTimestamp`; a repeat (`latest`): the series'
    /// `lastObservedTime`, else `lastTimestamp`, else `eventTime`, so that every
    /// occurrence carries its own time.
    public func occurrenceTime(latest: Bool) -> MicroTime? {
        latest ? series?.lastObservedTime ?? lastTimestamp ?? eventTime ?? firstTimestamp
            : eventTime ?? lastTimestamp ?? firstTimestamp
    }
}
