import TelemetryModel

/// Encodes families as they are rendered (a `FamilySink`) into
/// `ExportMetricsServiceRequest` protobuf, closing a request whenever the next point
/// would take it past `maximumRequestBytes` (uncompressed; the Collector's gRPC
/// receiver refuses messages over 4 MiB by default). Memory stays within about one
/// request however many families stream through: the owner takes the finished
/// requests (`takeRequests`) as they appear.
///
/// Mapping (docs/otlp.md): one ResourceMetrics for the agent; one
/// ScopeMetrics per collector (`beginScope`); a family keeps its Prometheus name, its
/// HELP becomes the description; gauges, info and stateset families become Gauges,
/// counters monotonic Sums with a start time; labels become data point attributes (a
/// label with an empty value is left out, as Prometheus does); `telegen.*` signal
/// metadata goes in `Metric.metadata`. A family without points in a request is not
/// written. Field order is protobuf-c's, so the bytes equal its encoding (tested).
public struct OTLPMetricsStreamEncoder: FamilySink {
    public typealias Temporality = OTLPMetricsEncoder.Temporality
    public typealias EncodedRequest = OTLPMetricsEncoder.EncodedRequest

    public let temporality: Temporality
    public let maximumRequestBytes: Int
    private let signalMetadata: (table: SignalMetadataTable, fields: SignalMetadataFields)?
    private let defaultStartTimeUnixNano: UInt64
    /// `resource` as field 1 of ResourceMetrics.
    private let resourceField: [UInt8]

    // The scope being written: field 1 of ScopeMetrics, and the points' time.
    private var scopeField: [UInt8] = []
    private var timeUnixNano: UInt64 = 0
    // The family being written: Metric fields 1–3 and 12, and its kind.
    private var metricHeader: [UInt8] = []
    private var metricMetadata: [UInt8] = []
    private var isSum = false
    private var inFamily = false

    /// Data point fields of the current family (Gauge/Sum field 1).
    private var points: [UInt8] = []
    /// Finished Metric fields (ScopeMetrics field 2) of the current scope.
    private var metrics: [UInt8] = []
    /// Finished ScopeMetrics fields (ResourceMetrics field 2) of the current request.
    private var scopes: [UInt8] = []
    private var requestPoints = 0
    private var finished: [EncodedRequest] = []

    /// Points that alone exceed the request size limit and cannot be sent.
    public private(set) var oversizedPoints = 0

    public init(resource: OTLPResource, temporality: Temporality = .cumulative,
                signalMetadata: (table: SignalMetadataTable, fields: SignalMetadataFields)? = nil,
                defaultStartTimeUnixNano: UInt64 = 0, maximumRequestBytes: Int = 4 * 1024 * 1024) {
        self.temporality = temporality
        self.signalMetadata = signalMetadata
        self.defaultStartTimeUnixNano = defaultStartTimeUnixNano
        self.maximumRequestBytes = maximumRequestBytes
        resourceField = resource.encoded(1)
    }

    /// Starts the families of one collector; `timeUnixNano` stamps their points.
    public mutating func beginScope(_ scope: OTLPScope, timeUnixNano: UInt64) {
        closeScope()
        inFamily = false
        scopeField = scope.encoded(1)
        self.timeUnixNano = timeUnixNano
    }

    public mutating func beginFamily(_ header: FamilyHeader) {
        closeMetric()
        inFamily = true
        isSum = header.type == .counter
        metricHeader.removeAll(keepingCapacity: true)
        // Metric: name = 1, description = 2, unit = 3, gauge = 5, sum = 7, metadata = 12
        metricHeader.appendString(1, header.name)
        let description = header.exposedHelp
        if !description.isEmpty { metricHeader.appendString(2, description) }
        if !header.unit.isEmpty { metricHeader.appendString(3, header.unit) }
        metricMetadata.removeAll(keepingCapacity: true)
        if let signalMetadata, let entry = signalMetadata.table.metadata(for: header.name) {
            for attribute in entry.attributes(signalMetadata.fields) {
                appendAttribute(12, key: attribute.key, value: attribute.value, to: &metricMetadata)
            }
        }
    }

    public mutating func sample(_ labels: SampleLabels, value: Double, startTimeUnixNano: UInt64?) {
        precondition(inFamily, "a sample before its family")
        // NumberDataPoint: start_time_unix_nano = 2, time_unix_nano = 3, as_double = 4, attributes = 7
        var size = 0
        let start = isSum ? (startTimeUnixNano ?? defaultStartTimeUnixNano) : 0
        if start != 0 { size += ProtobufSize.fixed64Field }
        if timeUnixNano != 0 { size += ProtobufSize.fixed64Field }
        size += ProtobufSize.fixed64Field
        labels.forEach { name, value in
            guard !value.isEmpty else { return }
            size += ProtobufSize.message(7, contentSize: Self.keyValueSize(name, value.count))
        }
        let field = ProtobufSize.message(1, contentSize: size)
        if fixedOverhead + field > maximumRequestBytes {
            oversizedPoints += 1
            return
        }
        if requestPoints > 0 && estimate + field > maximumRequestBytes {
            // Close this request and carry on with the same scope and family in the next.
            closeRequest()
        }
        points.appendMessageHeader(1, contentSize: size)
        if start != 0 { points.appendFixed64(2, start) }
        if timeUnixNano != 0 { points.appendFixed64(3, timeUnixNano) }
        points.appendFixed64(4, value.bitPattern)
        labels.forEach { name, value in
            guard !value.isEmpty else { return }
            points.appendMessageHeader(7, contentSize: Self.keyValueSize(name, value.count))
            points.appendString(1, name)
            points.appendMessageHeader(2, contentSize: 1 + ProtobufSize.varint(UInt64(value.count)) + value.count)
            points.appendString(1, value)
        }
        requestPoints += 1
    }

    /// Closes the request being filled; call once after the last family.
    public mutating func finish() {
        closeRequest()
        inFamily = false
    }

    /// The requests completed so far, handed over.
    public mutating func takeRequests() -> [EncodedRequest] {
        defer { finished.removeAll() }
        return finished
    }

    // MARK: Closing

    /// An upper bound on the bytes a length-delimited field adds around its content.
    private static let wrapperBound = 6

    /// What every request holds before its first point.
    private var fixedOverhead: Int {
        Self.wrapperBound * 4 + resourceField.count + scopeField.count + metricHeader.count + metricMetadata.count + 4
    }

    /// An upper bound on the request's size with what is open now.
    private var estimate: Int {
        fixedOverhead + scopes.count + metrics.count + points.count
    }

    private mutating func closeMetric() {
        guard !points.isEmpty else { return }
        let containerSize = points.count + (isSum ? 4 : 0)
        let content = metricHeader.count + ProtobufSize.message(isSum ? 7 : 5, contentSize: containerSize) + metricMetadata.count
        metrics.appendMessageHeader(2, contentSize: content)
        metrics.append(contentsOf: metricHeader)
        metrics.appendMessageHeader(isSum ? 7 : 5, contentSize: containerSize)
        metrics.append(contentsOf: points)
        if isSum {
            // Sum: aggregation_temporality = 2, is_monotonic = 3
            metrics.appendTag(2, .varint)
            metrics.appendVarint(temporality.wireValue)
            metrics.appendTag(3, .varint)
            metrics.appendVarint(1)
        }
        metrics.append(contentsOf: metricMetadata)
        points.removeAll(keepingCapacity: true)
    }

    private mutating func closeScope() {
        closeMetric()
        guard !metrics.isEmpty else { return }
        scopes.appendMessageHeader(2, contentSize: scopeField.count + metrics.count)
        scopes.append(contentsOf: scopeField)
        scopes.append(contentsOf: metrics)
        metrics.removeAll(keepingCapacity: true)
    }

    private mutating func closeRequest() {
        closeScope()
        guard !scopes.isEmpty else { return }
        // ExportMetricsServiceRequest.resource_metrics = 1; ResourceMetrics: resource = 1, scope_metrics = 2
        var request: [UInt8] = []
        let content = resourceField.count + scopes.count
        request.reserveCapacity(content + 6)
        request.appendMessageHeader(1, contentSize: content)
        request.append(contentsOf: resourceField)
        request.append(contentsOf: scopes)
        finished.append(EncodedRequest(bytes: request, points: requestPoints))
        scopes = []
        requestPoints = 0
    }

    // MARK: Attributes

    /// KeyValue{key = 1, value = 2: AnyValue{string_value = 1}} with a `valueCount`-byte value.
    private static func keyValueSize(_ key: String, _ valueCount: Int) -> Int {
        ProtobufSize.string(1, key) + ProtobufSize.message(2, contentSize: 1 + ProtobufSize.varint(UInt64(valueCount)) + valueCount)
    }

    private func appendAttribute(_ field: Int, key: String, value: String, to out: inout [UInt8]) {
        let valueSize = ProtobufSize.string(1, value)
        out.appendMessageHeader(field, contentSize: ProtobufSize.string(1, key) + ProtobufSize.message(2, contentSize: valueSize))
        out.appendString(1, key)
        out.appendMessageHeader(2, contentSize: valueSize)
        out.appendString(1, value)
    }
}
