import TelemetryModel

/// Encodes metric families held in memory (collectors' snapshots) as
/// `ExportMetricsServiceRequest` protobuf, split into requests no larger than
/// `maximumRequestBytes` (uncompressed). The bytes are `OTLPMetricsStreamEncoder`'s,
/// which a test checks against protobuf-c's.
public struct OTLPMetricsEncoder: Sendable {
    public enum Temporality: Sendable {
        case cumulative, delta

        // AggregationTemporality: DELTA = 1, CUMULATIVE = 2.
        var wireValue: UInt64 { self == .delta ? 1 : 2 }
    }

    /// The families one collector produced at one moment.
    public struct ScopeFamilies: Sendable {
        public var scope: OTLPScope
        public var families: [MetricFamily]
        public var timeUnixNano: UInt64

        public init(scope: OTLPScope, families: [MetricFamily], timeUnixNano: UInt64) {
            self.scope = scope
            self.families = families
            self.timeUnixNano = timeUnixNano
        }
    }

    public struct EncodedRequest: Sendable {
        public var bytes: [UInt8]
        public var points: Int
    }

    public struct Output: Sendable {
        public var requests: [EncodedRequest]
        /// Points that alone exceed the request size limit and cannot be sent.
        public var oversizedPoints: Int
    }

    public var resource: OTLPResource
    public var temporality: Temporality
    /// Signal metadata by metric prefix; nil sends none.
    public var signalMetadata: (table: SignalMetadataTable, fields: SignalMetadataFields)?
    /// Start time for counters whose own start is unknown.
    public var defaultStartTimeUnixNano: UInt64
    public var maximumRequestBytes: Int

    public init(resource: OTLPResource, temporality: Temporality = .cumulative,
                signalMetadata: (table: SignalMetadataTable, fields: SignalMetadataFields)? = nil,
                defaultStartTimeUnixNano: UInt64 = 0, maximumRequestBytes: Int = 4 * 1024 * 1024) {
        self.resource = resource
        self.temporality = temporality
        self.signalMetadata = signalMetadata
        self.defaultStartTimeUnixNano = defaultStartTimeUnixNano
        self.maximumRequestBytes = maximumRequestBytes
    }

    /// Encodes every scope's families; see `OTLPMetricsStreamEncoder` for the mapping.
    public func encode(_ scopes: [ScopeFamilies]) -> Output {
        var encoder = OTLPMetricsStreamEncoder(resource: resource, temporality: temporality, signalMetadata: signalMetadata,
                                               defaultStartTimeUnixNano: defaultStartTimeUnixNano,
                                               maximumRequestBytes: maximumRequestBytes)
        for scope in scopes {
            encoder.beginScope(scope.scope, timeUnixNano: scope.timeUnixNano)
            var stream = MetricFamiliesStream(scope.families)
            stream.render(into: &encoder)
        }
        encoder.finish()
        return Output(requests: encoder.takeRequests(), oversizedPoints: encoder.oversizedPoints)
    }
}
