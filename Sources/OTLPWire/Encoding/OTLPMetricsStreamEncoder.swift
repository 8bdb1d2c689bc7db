import TelemetryModel

/// Encodes families as they are rendered (a `FamilySink`) into
/// `ExportMetricsServiceRequest` protobuf, closing a request whenever the next point
/// would take it past `maximumRequestBytes` (uncompressed; the Collector's gRPC
/// receiver refuses messages over 4 MiB by default). Memory stays within about one
/// request however many families stream through: the owner takes the finished
/// requests (`takeRequests`) as they appear.
///
/// Mapping (docs/otlp.md): one ResourceMetrics for the agent, and one more per
/// `beginResource` (a scraped application: the agent's attributes merged with the
/// target's); one ScopeMetrics per collector (`beginScope`); a family keeps its
/// Prometheus name, its HELP becomes the description; gauges, info and stateset
/// families become Gauges, counters monotonic Sums with a start time, histograms
/// Histograms (explicit bounds, per-bucket counts) and summaries Summaries; labels
/// become data point attributes (a label with an empty value is left out, as
/// Prometheus does); `telegen.*` signal metadata goes in `Metric.metadata`. A family
/// without points in a request is not written, nor a resource without families. Field
/// order is protobuf-c's, so the bytes equal its encoding (tested).
public struct OTLPMetricsStreamEncoder: FamilySink {
    public typealias Temporality = OTLPMetricsEncoder.Temporality
    public typealias EncodedRequest = OTLPMetricsEncoder.EncodedRequest

    public let temporality: Temporality
    public let maximumRequestBytes: Int
    private let signalMetadata: (table: SignalMetadataTable, fields: SignalMetadataFields)?
    private let defaultStartTimeUnixNano: UInt64
    /// The resource being written, as field 1 of ResourceMetrics, and the temporality
    /// of its sums and histograms.
    private var resourceField: [UInt8]
    private var resourceTemporality: Temporality

    // The scope being written: field 1 of ScopeMetrics, and the points' time.
    private var scopeField: [UInt8] = []
    private var timeUnixNano: UInt64 = 0
    /// Signal metadata for every family of the scope, in place of the table's.
    private var scopeMetadata: SignalMetadata?
    // The family being written: Metric fields 1–3 and 12, and its kind.
    private var metricHeader: [UInt8] = []
    private var metricMetadata: [UInt8] = []
    private var kind = Kind.gauge
    private var inFamily = false

    /// The OTLP data a family becomes, with its Metric field number.
    private enum Kind: Int {
        case gauge = 5, sum = 7, histogram = 9, summary = 11
    }

    /// Point fields (Gauge/Sum field 1) of the request being filled, every family's in
    /// order; the current family's begin at `familyStart`.
    private var points: [UInt8] = []
    private var familyStart = 0

    /// The request being filled, as parts written out in one pass when it closes: each
    /// family's points stay where they were written, and the framing around them (the
    /// resource and scope fields, headers whose lengths are known only when their part
    /// closes, trailers) goes to `framing`. Copying each level into its parent as it
    /// closed moved every byte of a request three times.
    private enum Part {
        case framing(Range<Int>)
        case points(Range<Int>)
    }

    private var parts: [Part] = []
    private var framing: [UInt8] = []
    /// Where the open scope's and resource's headers go in `parts` (placeholders until
    /// they close), and their content so far in bytes; nil while nothing of theirs has
    /// been written to this request.
    private var scopeHeader: Int?
    private var scopeContent = 0
    private var resourceHeader: Int?
    private var resourceContent = 0
    /// Bytes of the request's closed metrics, scopes and resources.
    private var closedBytes = 0
    private var requestPoints = 0
    private var finished: [EncodedRequest] = []

    /// Points that alone exceed the request size limit and cannot be sent.
    public private(set) var oversizedPoints = 0
    /// Points whose kind does not match their family's type (a number in a histogram
    /// family, a distribution in a gauge's), left out.
    public private(set) var mismatchedPoints = 0

    public init(resource: OTLPResource, temporality: Temporality = .cumulative,
                signalMetadata: (table: SignalMetadataTable, fields: SignalMetadataFields)? = nil,
                defaultStartTimeUnixNano: UInt64 = 0, maximumRequestBytes: Int = 4 * 1024 * 1024) {
        self.temporality = temporality
        self.signalMetadata = signalMetadata
        self.defaultStartTimeUnixNano = defaultStartTimeUnixNano
        self.maximumRequestBytes = maximumRequestBytes
        resourceField = resource.encoded(1)
        resourceTemporality = temporality
    }

    /// Starts another ResourceMetrics (in the same request while it has room): what
    /// follows is about `resource`, its sums and histograms sent with `temporality`.
    /// Call `beginScope` next.
    public mutating func beginResource(_ resource: OTLPResource, temporality: Temporality) {
        closeResource()
        inFamily = false
        scopeField = []
        resourceField = resource.encoded(1)
        resourceTemporality = temporality
    }

    /// Starts the families of one collector; `timeUnixNano` stamps their points (those
    /// without a time of their own). `metadata`, when given, is every family's signal
    /// metadata in place of the table's (a scraped application's families).
    public mutating func beginScope(_ scope: OTLPScope, timeUnixNano: UInt64, metadata: SignalMetadata? = nil) {
        closeScope()
        inFamily = false
        scopeField = scope.encoded(1)
        self.timeUnixNano = timeUnixNano
        scopeMetadata = metadata
    }

    public mutating func beginFamily(_ header: FamilyHeader) {
        closeMetric()
        inFamily = true
        switch header.type {
        case .counter: kind = .sum
        case .gauge, .info, .stateset: kind = .gauge
        case .histogram: kind = .histogram
        case .summary: kind = .summary
        }
        metricHeader.removeAll(keepingCapacity: true)
        // Metric: name = 1, description = 2, unit = 3, gauge = 5, sum = 7, metadata = 12
        metricHeader.appendString(1, header.name)
        let description = header.exposedHelp
        if !description.isEmpty { metricHeader.appendString(2, description) }
        if !header.unit.isEmpty { metricHeader.appendString(3, header.unit) }
        metricMetadata.removeAll(keepingCapacity: true)
        if let signalMetadata, let entry = scopeMetadata ?? signalMetadata.table.metadata(for: header.name) {
            for attribute in entry.attributes(signalMetadata.fields) {
                appendAttribute(12, key: attribute.key, value: attribute.value, to: &metricMetadata)
            }
        }
    }

    public mutating func sample(_ labels: SampleLabels, value: Double, startTimeUnixNano: UInt64?) {
        number(labels, value: value, startTimeUnixNano: startTimeUnixNano, timeUnixNano: timeUnixNano)
    }

    public mutating func sample(_ labels: SampleLabels, value: Double, startTimeUnixNano: UInt64?, timeUnixNano: UInt64) {
        number(labels, value: value, startTimeUnixNano: startTimeUnixNano, timeUnixNano: timeUnixNano == 0 ? self.timeUnixNano : timeUnixNano)
    }

    @inline(__always)
    private mutating func number(_ labels: SampleLabels, value: Double, startTimeUnixNano: UInt64?, timeUnixNano: UInt64) {
        precondition(inFamily, "a sample before its family")
        guard kind == .gauge || kind == .sum else {
            mismatchedPoints += 1
            return
        }
        // NumberDataPoint: start_time_unix_nano = 2, time_unix_nano = 3, as_double = 4, attributes = 7
        var size = 0
        let start = kind == .sum ? (startTimeUnixNano ?? defaultStartTimeUnixNano) : 0
        if start != 0 { size += ProtobufSize.fixed64Field }
        if timeUnixNano != 0 { size += ProtobufSize.fixed64Field }
        size += ProtobufSize.fixed64Field
        labels.forEach { name, value in
            guard !value.isEmpty else { return }
            size += ProtobufSize.message(7, contentSize: Self.keyValueSize(name, value.count))
        }
        let field = ProtobufSize.message(1, contentSize: size)
        guard makeRoom(field) else { return }
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

    /// One histogram or summary point of the current family.
    public mutating func distribution(_ labels: SampleLabels, _ value: Distribution, startTimeUnixNano: UInt64?, timeUnixNano: UInt64) {
        precondition(inFamily, "a point before its family")
        let time = timeUnixNano == 0 ? self.timeUnixNano : timeUnixNano
        let start = startTimeUnixNano ?? defaultStartTimeUnixNano
        var attributesSize = 0
        labels.forEach { name, value in
            guard !value.isEmpty else { return }
            attributesSize += ProtobufSize.message(1, contentSize: Self.keyValueSize(name, value.count))
        }
        switch (value, kind) {
        case (.histogram(let histogram), .histogram):
            // HistogramDataPoint: start_time_unix_nano = 2, time_unix_nano = 3, count = 4, sum = 5,
            // bucket_counts = 6 (packed), explicit_bounds = 7 (packed), attributes = 9
            var size = attributesSize
            if start != 0 { size += ProtobufSize.fixed64Field }
            if time != 0 { size += ProtobufSize.fixed64Field }
            if histogram.count != 0 { size += ProtobufSize.fixed64Field }
            if histogram.sum != nil { size += ProtobufSize.fixed64Field }
            if !histogram.bucketCounts.isEmpty { size += ProtobufSize.message(6, contentSize: 8 * histogram.bucketCounts.count) }
            if !histogram.bounds.isEmpty { size += ProtobufSize.message(7, contentSize: 8 * histogram.bounds.count) }
            guard makeRoom(ProtobufSize.message(1, contentSize: size)) else { return }
            points.appendMessageHeader(1, contentSize: size)
            if start != 0 { points.appendFixed64(2, start) }
            if time != 0 { points.appendFixed64(3, time) }
            if histogram.count != 0 { points.appendFixed64(4, histogram.count) }
            if let sum = histogram.sum { points.appendFixed64(5, sum.bitPattern) }
            if !histogram.bucketCounts.isEmpty {
                points.appendMessageHeader(6, contentSize: 8 * histogram.bucketCounts.count)
                for count in histogram.bucketCounts { points.appendLittleEndian(count) }
            }
            if !histogram.bounds.isEmpty {
                points.appendMessageHeader(7, contentSize: 8 * histogram.bounds.count)
                for bound in histogram.bounds { points.appendLittleEndian(bound.bitPattern) }
            }
            appendAttributes(9, labels)
        case (.summary(let summary), .summary):
            // SummaryDataPoint: start_time_unix_nano = 2, time_unix_nano = 3, count = 4, sum = 5,
            // quantile_values = 6, attributes = 7; ValueAtQuantile: quantile = 1, value = 2
            var size = attributesSize
            if start != 0 { size += ProtobufSize.fixed64Field }
            if time != 0 { size += ProtobufSize.fixed64Field }
            if summary.count != 0 { size += ProtobufSize.fixed64Field }
            if summary.sum.bitPattern != 0 { size += ProtobufSize.fixed64Field }
            for quantile in summary.quantiles { size += ProtobufSize.message(6, contentSize: Self.quantileSize(quantile)) }
            guard makeRoom(ProtobufSize.message(1, contentSize: size)) else { return }
            points.appendMessageHeader(1, contentSize: size)
            if start != 0 { points.appendFixed64(2, start) }
            if time != 0 { points.appendFixed64(3, time) }
            if summary.count != 0 { points.appendFixed64(4, summary.count) }
            if summary.sum.bitPattern != 0 { points.appendFixed64(5, summary.sum.bitPattern) }
            for quantile in summary.quantiles {
                points.appendMessageHeader(6, contentSize: Self.quantileSize(quantile))
                if quantile.quantile.bitPattern != 0 { points.appendFixed64(1, quantile.quantile.bitPattern) }
                if quantile.value.bitPattern != 0 { points.appendFixed64(2, quantile.value.bitPattern) }
            }
            appendAttributes(7, labels)
        default:
            mismatchedPoints += 1
            return
        }
        requestPoints += 1
    }

    /// A ValueAtQuantile's content: proto3 leaves zero doubles out, as protobuf-c does.
    private static func quantileSize(_ quantile: SummaryValue.Quantile) -> Int {
        (quantile.quantile.bitPattern != 0 ? ProtobufSize.fixed64Field : 0) + (quantile.value.bitPattern != 0 ? ProtobufSize.fixed64Field : 0)
    }

    /// The labels with a value as repeated KeyValue field `field`.
    private mutating func appendAttributes(_ field: Int, _ labels: SampleLabels) {
        labels.forEach { name, value in
            guard !value.isEmpty else { return }
            points.appendMessageHeader(field, contentSize: Self.keyValueSize(name, value.count))
            points.appendString(1, name)
            points.appendMessageHeader(2, contentSize: 1 + ProtobufSize.varint(UInt64(value.count)) + value.count)
            points.appendString(1, value)
        }
    }

    /// Whether a point field of `field` bytes can be written, closing the request first
    /// when it would go over the limit (the next one carries on with the same resource,
    /// scope and family); false, counted, when the point alone is over it.
    @inline(__always)
    private mutating func makeRoom(_ field: Int) -> Bool {
        if fixedOverhead + field > maximumRequestBytes {
            oversizedPoints += 1
            return false
        }
        if requestPoints > 0 && estimate + field > maximumRequestBytes {
            closeRequest()
        }
        return true
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
        fixedOverhead + closedBytes + points.count - familyStart
    }

    /// Adds what `framing` gained since `start` as the next part.
    private mutating func framingPart(from start: Int) {
        if framing.count > start { parts.append(.framing(start..<framing.count)) }
    }

    /// Writes the open resource's and scope's placeholders and fields to the request,
    /// if they are not in it yet: they are written only once one of their families is.
    private mutating func openScope() {
        if resourceHeader == nil { resourceHeader = openHeader(followedBy: resourceField) }
        if scopeHeader == nil { scopeHeader = openHeader(followedBy: scopeField) }
    }

    /// A placeholder part for a header written only when its part closes
    /// (`closeHeader`), then `field`; returns the placeholder's index.
    private mutating func openHeader(followedBy field: [UInt8]) -> Int {
        let placeholder = parts.count
        parts.append(.framing(0..<0))
        let start = framing.count
        framing.append(contentsOf: field)
        framingPart(from: start)
        return placeholder
    }

    /// Writes the header of length-delimited field `field` into its placeholder; returns
    /// the whole field's size.
    private mutating func closeHeader(_ placeholder: Int, field: Int, contentSize: Int) -> Int {
        let start = framing.count
        framing.appendMessageHeader(field, contentSize: contentSize)
        parts[placeholder] = .framing(start..<framing.count)
        return ProtobufSize.message(field, contentSize: contentSize)
    }

    private mutating func closeMetric() {
        guard points.count > familyStart else { return }
        openScope()
        // Sum: aggregation_temporality = 2, is_monotonic = 3; Histogram: aggregation_temporality = 2
        let trailerSize = switch kind {
        case .sum: 3 + ProtobufSize.varint(resourceTemporality.wireValue)
        case .histogram: 1 + ProtobufSize.varint(resourceTemporality.wireValue)
        case .gauge, .summary: 0
        }
        let containerSize = points.count - familyStart + trailerSize
        let content = metricHeader.count + ProtobufSize.message(kind.rawValue, contentSize: containerSize) + metricMetadata.count
        var start = framing.count
        framing.appendMessageHeader(2, contentSize: content)
        framing.append(contentsOf: metricHeader)
        framing.appendMessageHeader(kind.rawValue, contentSize: containerSize)
        framingPart(from: start)
        parts.append(.points(familyStart..<points.count))
        start = framing.count
        if kind == .sum || kind == .histogram {
            framing.appendTag(2, .varint)
            framing.appendVarint(resourceTemporality.wireValue)
        }
        if kind == .sum {
            framing.appendTag(3, .varint)
            framing.appendVarint(1)
        }
        framing.append(contentsOf: metricMetadata)
        framingPart(from: start)
        familyStart = points.count
        let size = ProtobufSize.message(2, contentSize: content)
        scopeContent += size
        closedBytes += size
    }

    private mutating func closeScope() {
        closeMetric()
        guard let header = scopeHeader else { return }
        // ResourceMetrics.scope_metrics = 2; ScopeMetrics: scope = 1, metrics = 2
        let size = closeHeader(header, field: 2, contentSize: scopeField.count + scopeContent)
        closedBytes += size - scopeContent
        resourceContent += size
        scopeHeader = nil
        scopeContent = 0
    }

    private mutating func closeResource() {
        closeScope()
        guard let header = resourceHeader else { return }
        // ExportMetricsServiceRequest.resource_metrics = 1; ResourceMetrics: resource = 1, scope_metrics = 2
        closedBytes += closeHeader(header, field: 1, contentSize: resourceField.count + resourceContent) - resourceContent
        resourceHeader = nil
        resourceContent = 0
    }

    private mutating func closeRequest() {
        closeResource()
        guard !parts.isEmpty else { return }
        var size = 0
        for part in parts {
            switch part {
            case .framing(let range), .points(let range): size += range.count
            }
        }
        assert(size == closedBytes, "the request's parts add up to \(size) bytes, its accounting to \(closedBytes)")
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { output, initialized in
            guard let destination = output.baseAddress else { return }
            framing.withUnsafeBufferPointer { framing in
                points.withUnsafeBufferPointer { points in
                    for part in parts {
                        let (source, range) = switch part {
                        case .framing(let range): (framing, range)
                        case .points(let range): (points, range)
                        }
                        guard let base = source.baseAddress, !range.isEmpty else { continue }
                        (destination + initialized).initialize(from: base + range.lowerBound, count: range.count)
                        initialized += range.count
                    }
                }
            }
        }
        finished.append(EncodedRequest(bytes: bytes, points: requestPoints))
        parts.removeAll(keepingCapacity: true)
        framing.removeAll(keepingCapacity: true)
        points.removeAll(keepingCapacity: true)
        familyStart = 0
        closedBytes = 0
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

extension Array where Element == UInt8 {
    /// One element of a packed repeated fixed64 or double field.
    @inline(__always)
    fileprivate mutating func appendLittleEndian(_ value: UInt64) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
