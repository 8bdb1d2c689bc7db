import TelemetryModel

/// Encodes metric families as `ExportMetricsServiceRequest` protobuf, split into
/// requests no larger than `maximumRequestBytes` (uncompressed): the Collector's gRPC
/// receiver refuses messages over 4 MiB by default.
///
/// Mapping (SPEC.md, "OTLP mapping"): one ResourceMetrics for the agent; one
/// ScopeMetrics per collector; a family keeps its Prometheus name, its HELP becomes
/// the description; gauges, info and stateset families become Gauges, counters
/// monotonic Sums with a start time; labels become data point attributes (a label
/// with an empty value is left out, as Prometheus does); `telegen.*` signal metadata
/// goes in `Metric.metadata`.
///
/// The encoder writes the wire format directly (sizes first, then one pass into an
/// exactly sized buffer); a test checks its output byte for byte against protobuf-c's.
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

    // MARK: Planning

    /// What one family contributes, measured once.
    private struct MeasuredFamily {
        let family: MetricFamily
        let metadata: [(key: String, value: String)]
        let headerSize: Int
        let pointSizes: [Int]
        var isSum: Bool { family.type == .counter }
    }

    /// A run of one family's points inside one request.
    private struct Part {
        let family: Int
        var points: Range<Int>
    }

    private struct ScopePlan {
        let scope: Int
        var parts: [Part]
    }

    /// An upper bound on the bytes a length-delimited field adds around its content
    /// (tag plus the longest varint a request-sized length needs).
    private static let wrapperBound = 6

    public func encode(_ scopes: [ScopeFamilies]) -> Output {
        let measured = scopes.map { scope in
            scope.families.filter { !$0.series.isEmpty }.map { measure($0, time: scope.timeUnixNano) }
        }
        var requests: [EncodedRequest] = []
        var oversized = 0
        let base = Self.wrapperBound + ProtobufSize.message(1, contentSize: resource.contentSize)

        // The request being filled: closed parts, plus the part still growing (tracked
        // in plain indices, so nothing is copied per point).
        var plan: [ScopePlan] = []
        var estimate = base
        var points = 0
        var openScope = -1, openFamily = -1, openStart = 0, openEnd = 0
        func closePart() {
            guard openFamily >= 0 else { return }
            let part = Part(family: openFamily, points: openStart..<openEnd)
            if plan.last?.scope == openScope {
                plan[plan.count - 1].parts.append(part)
            } else {
                plan.append(ScopePlan(scope: openScope, parts: [part]))
            }
            openFamily = -1
        }
        func close() {
            closePart()
            guard points > 0 else { return }
            requests.append(EncodedRequest(bytes: write(plan, scopes: scopes, measured: measured), points: points))
            plan = []
            estimate = base
            points = 0
            openScope = -1
        }
        for (scopeIndex, families) in measured.enumerated() {
            let scopeOverhead = Self.wrapperBound + ProtobufSize.message(1, contentSize: scopes[scopeIndex].scope.contentSize)
            for (familyIndex, family) in families.enumerated() {
                let partOverhead = Self.wrapperBound + family.headerSize + Self.wrapperBound + (family.isSum ? 4 : 0)
                family.pointSizes.withUnsafeBufferPointer { sizes in
                    for pointIndex in sizes.indices {
                        let pointField = ProtobufSize.message(1, contentSize: sizes[pointIndex])
                        var scopeOpen = openScope == scopeIndex
                        var partOpen = scopeOpen && openFamily == familyIndex
                        var needed = pointField + (partOpen ? 0 : partOverhead) + (scopeOpen ? 0 : scopeOverhead)
                        if estimate + needed > maximumRequestBytes && points > 0 {
                            close()
                            (scopeOpen, partOpen) = (false, false)
                            needed = pointField + partOverhead + scopeOverhead
                        }
                        if base + needed > maximumRequestBytes {
                            oversized += 1
                            continue
                        }
                        if !partOpen {
                            closePart()
                            if !scopeOpen {
                                // A new scope starts in this request: close the previous scope's entry.
                                openScope = scopeIndex
                            }
                            openFamily = familyIndex
                            openStart = pointIndex
                        } else if openEnd != pointIndex {
                            // A skipped (oversized) point splits the run.
                            closePart()
                            openFamily = familyIndex
                            openStart = pointIndex
                        }
                        openEnd = pointIndex + 1
                        estimate += needed
                        points += 1
                    }
                }
            }
        }
        close()
        return Output(requests: requests, oversizedPoints: oversized)
    }

    private func measure(_ family: MetricFamily, time: UInt64) -> MeasuredFamily {
        var metadata: [(key: String, value: String)] = []
        if let signalMetadata, let entry = signalMetadata.table.metadata(for: family.name) {
            metadata = entry.attributes(signalMetadata.fields)
        }
        let description = family.exposedHelp
        var header = ProtobufSize.string(1, family.name)
        if !description.isEmpty { header += ProtobufSize.string(2, description) }
        if !family.unit.isEmpty { header += ProtobufSize.string(3, family.unit) }
        for entry in metadata { header += OTLPAttributes.fieldSize(12, entry.key, entry.value) }

        let isSum = family.type == .counter
        let fixedFields = (time != 0 ? ProtobufSize.fixed64Field : 0) + ProtobufSize.fixed64Field
        // Series of a family usually share one label-names array: measure its keys once.
        var keySizesFor: UnsafePointer<String>?
        var keySizes: [Int] = []
        let sizes = family.series.withUnsafeBufferPointer { series in
            [Int](unsafeUninitializedCapacity: series.count) { sizes, count in
                for (index, point) in series.enumerated() {
                    var size = fixedFields
                    if isSum && startTime(of: point) != 0 { size += ProtobufSize.fixed64Field }
                    let names = point.labels.names
                    names.withUnsafeBufferPointer { keys in
                        if keys.baseAddress != keySizesFor || keySizes.count != keys.count {
                            keySizes = keys.map { ProtobufSize.string(1, $0) }
                            keySizesFor = keys.baseAddress
                        }
                        point.labels.values.withUnsafeBufferPointer { values in
                            for label in 0..<values.count where !values[label].isEmpty {
                                let keyValue = keySizes[label] + ProtobufSize.message(2, contentSize: ProtobufSize.string(1, values[label]))
                                size += ProtobufSize.message(7, contentSize: keyValue)
                            }
                        }
                    }
                    sizes[index] = size
                }
                count = series.count
            }
        }
        return MeasuredFamily(family: family, metadata: metadata, headerSize: header, pointSizes: sizes)
    }

    @inline(__always)
    private func startTime(of series: Series) -> UInt64 {
        series.startTimeUnixNano ?? defaultStartTimeUnixNano
    }

    // MARK: Writing

    private func write(_ plan: [ScopePlan], scopes: [ScopeFamilies], measured: [[MeasuredFamily]]) -> [UInt8] {
        // Exact sizes, bottom up.
        func containerSize(_ part: Part, _ family: MeasuredFamily) -> Int {
            var size = 0
            for index in part.points { size += ProtobufSize.message(1, contentSize: family.pointSizes[index]) }
            if family.isSum { size += 4 }  // aggregation_temporality and is_monotonic: one tag and one byte each
            return size
        }
        func metricSize(_ part: Part, _ family: MeasuredFamily) -> Int {
            family.headerSize + ProtobufSize.message(family.isSum ? 7 : 5, contentSize: containerSize(part, family))
        }
        let scopeSizes = plan.map { scopePlan in
            scopePlan.parts.reduce(ProtobufSize.message(1, contentSize: scopes[scopePlan.scope].scope.contentSize)) {
                $0 + ProtobufSize.message(2, contentSize: metricSize($1, measured[scopePlan.scope][$1.family]))
            }
        }
        let resourceMetricsSize = scopeSizes.reduce(ProtobufSize.message(1, contentSize: resource.contentSize)) {
            $0 + ProtobufSize.message(2, contentSize: $1)
        }
        let total = ProtobufSize.message(1, contentSize: resourceMetricsSize)

        return ProtobufWriter.build(size: total) { writer in
            // ExportMetricsServiceRequest.resource_metrics = 1
            writer.messageHeader(1, contentSize: resourceMetricsSize)
            // ResourceMetrics: resource = 1, scope_metrics = 2
            resource.write(1, to: &writer)
            for (scopePlan, scopeSize) in zip(plan, scopeSizes) {
                let scope = scopes[scopePlan.scope]
                writer.messageHeader(2, contentSize: scopeSize)
                // ScopeMetrics: scope = 1, metrics = 2
                scope.scope.write(1, to: &writer)
                for part in scopePlan.parts {
                    let family = measured[scopePlan.scope][part.family]
                    writer.messageHeader(2, contentSize: metricSize(part, family))
                    writeMetric(part, family, time: scope.timeUnixNano, containerSize: containerSize(part, family), to: &writer)
                }
            }
        }
    }

    private func writeMetric(_ part: Part, _ measured: MeasuredFamily, time: UInt64, containerSize: Int, to writer: inout ProtobufWriter) {
        let family = measured.family
        // Metric: name = 1, description = 2, unit = 3, gauge = 5, sum = 7, metadata = 12
        writer.string(1, family.name)
        let description = family.exposedHelp
        if !description.isEmpty { writer.string(2, description) }
        if !family.unit.isEmpty { writer.string(3, family.unit) }
        writer.messageHeader(measured.isSum ? 7 : 5, contentSize: containerSize)
        family.series.withUnsafeBufferPointer { series in
            measured.pointSizes.withUnsafeBufferPointer { sizes in
                for index in part.points {
                    // Gauge/Sum: data_points = 1; NumberDataPoint: start_time_unix_nano = 2,
                    // time_unix_nano = 3, as_double = 4, attributes = 7
                    writer.messageHeader(1, contentSize: sizes[index])
                    if measured.isSum {
                        let start = startTime(of: series[index])
                        if start != 0 { writer.fixed64(2, start) }
                    }
                    if time != 0 { writer.fixed64(3, time) }
                    writer.double(4, series[index].value)
                    series[index].labels.names.withUnsafeBufferPointer { names in
                        series[index].labels.values.withUnsafeBufferPointer { values in
                            for label in 0..<values.count where !values[label].isEmpty {
                                OTLPAttributes.write(7, names[label], values[label], to: &writer)
                            }
                        }
                    }
                }
            }
        }
        if measured.isSum {
            // Sum: aggregation_temporality = 2, is_monotonic = 3
            writer.tag(2, .varint)
            writer.varint(temporality.wireValue)
            writer.tag(3, .varint)
            writer.varint(1)
        }
        for entry in measured.metadata { OTLPAttributes.write(12, entry.key, entry.value, to: &writer) }
    }
}
