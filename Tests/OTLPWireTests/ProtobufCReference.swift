import COTLP
import CProtobufC
import OTLPWire
import TelemetryModel

#if canImport(Glibc)
import Glibc
#endif

/// Builds OTLP requests through protobuf-c's generated structs and packs them: the
/// schema authority the hand-written encoder is checked against. Test-only.
final class ProtobufCReference {
    private var allocations: [UnsafeMutableRawPointer] = []

    deinit { allocations.forEach { free($0) } }

    private func allocate<T>(_ type: T.Type, count: Int = 1) -> UnsafeMutablePointer<T> {
        let raw = calloc(max(count, 1), MemoryLayout<T>.stride)!
        allocations.append(raw)
        return raw.bindMemory(to: T.self, capacity: max(count, 1))
    }

    private func string(_ text: String) -> UnsafeMutablePointer<CChar> {
        let pointer = strdup(text)!
        allocations.append(UnsafeMutableRawPointer(pointer))
        return pointer
    }

    private func keyValue(_ key: String, _ value: AttributeValue) -> UnsafeMutablePointer<Opentelemetry__Proto__Common__V1__KeyValue> {
        let pair = allocate(Opentelemetry__Proto__Common__V1__KeyValue.self)
        opentelemetry__proto__common__v1__key_value__init(pair)
        pair.pointee.key = string(key)
        pair.pointee.value = anyValue(value)
        return pair
    }

    private func anyValue(_ value: AttributeValue) -> UnsafeMutablePointer<Opentelemetry__Proto__Common__V1__AnyValue> {
        let any = allocate(Opentelemetry__Proto__Common__V1__AnyValue.self)
        opentelemetry__proto__common__v1__any_value__init(any)
        switch value {
        case .string(let text):
            any.pointee.value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE
            any.pointee.string_value = string(text)
        case .int(let number):
            any.pointee.value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_INT_VALUE
            any.pointee.int_value = number
        case .double(let number):
            any.pointee.value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_DOUBLE_VALUE
            any.pointee.double_value = number
        case .bool(let flag):
            any.pointee.value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_BOOL_VALUE
            any.pointee.bool_value = flag ? 1 : 0
        }
        return any
    }

    private func keyValues(_ pairs: [(String, AttributeValue)]) -> (Int, UnsafeMutablePointer<UnsafeMutablePointer<Opentelemetry__Proto__Common__V1__KeyValue>?>) {
        let array = allocate(UnsafeMutablePointer<Opentelemetry__Proto__Common__V1__KeyValue>?.self, count: pairs.count)
        for (index, pair) in pairs.enumerated() { array[index] = keyValue(pair.0, pair.1) }
        return (pairs.count, array)
    }

    private func resource(_ resource: OTLPResource) -> UnsafeMutablePointer<Opentelemetry__Proto__Resource__V1__Resource> {
        let message = allocate(Opentelemetry__Proto__Resource__V1__Resource.self)
        opentelemetry__proto__resource__v1__resource__init(message)
        (message.pointee.n_attributes, message.pointee.attributes) = keyValues(resource.attributes.map { ($0.key, $0.value) })
        return message
    }

    private func scope(_ scope: OTLPScope) -> UnsafeMutablePointer<Opentelemetry__Proto__Common__V1__InstrumentationScope> {
        let message = allocate(Opentelemetry__Proto__Common__V1__InstrumentationScope.self)
        opentelemetry__proto__common__v1__instrumentation_scope__init(message)
        message.pointee.name = string(scope.name)
        message.pointee.version = string(scope.version)
        return message
    }

    /// One request with every family of every scope (no splitting).
    func metricsRequest(_ scopes: [OTLPMetricsEncoder.ScopeFamilies], resource: OTLPResource, metadata: SignalMetadataTable?,
                        fields: SignalMetadataFields, delta: Bool, defaultStart: UInt64) -> [UInt8] {
        let request = allocate(Opentelemetry__Proto__Collector__Metrics__V1__ExportMetricsServiceRequest.self)
        opentelemetry__proto__collector__metrics__v1__export_metrics_service_request__init(request)
        let resourceMetrics = allocate(Opentelemetry__Proto__Metrics__V1__ResourceMetrics.self)
        opentelemetry__proto__metrics__v1__resource_metrics__init(resourceMetrics)
        resourceMetrics.pointee.resource = self.resource(resource)
        let scopeArray = allocate(UnsafeMutablePointer<Opentelemetry__Proto__Metrics__V1__ScopeMetrics>?.self, count: scopes.count)
        for (scopeIndex, entry) in scopes.enumerated() {
            let scopeMetrics = allocate(Opentelemetry__Proto__Metrics__V1__ScopeMetrics.self)
            opentelemetry__proto__metrics__v1__scope_metrics__init(scopeMetrics)
            scopeMetrics.pointee.scope = scope(entry.scope)
            let families = entry.families.filter { !$0.series.isEmpty }
            let metricArray = allocate(UnsafeMutablePointer<Opentelemetry__Proto__Metrics__V1__Metric>?.self, count: families.count)
            for (familyIndex, family) in families.enumerated() {
                let metric = allocate(Opentelemetry__Proto__Metrics__V1__Metric.self)
                opentelemetry__proto__metrics__v1__metric__init(metric)
                metric.pointee.name = string(family.name)
                metric.pointee.description = string(family.exposedHelp)
                metric.pointee.unit = string(family.unit)
                if let entry = metadata?.metadata(for: family.name) {
                    (metric.pointee.n_metadata, metric.pointee.metadata) = keyValues(entry.attributes(fields).map { ($0.key, .string($0.value)) })
                }
                let points = allocate(UnsafeMutablePointer<Opentelemetry__Proto__Metrics__V1__NumberDataPoint>?.self, count: family.series.count)
                for (index, series) in family.series.enumerated() {
                    let point = allocate(Opentelemetry__Proto__Metrics__V1__NumberDataPoint.self)
                    opentelemetry__proto__metrics__v1__number_data_point__init(point)
                    if family.type == .counter { point.pointee.start_time_unix_nano = series.startTimeUnixNano ?? defaultStart }
                    point.pointee.time_unix_nano = entry.timeUnixNano
                    point.pointee.value_case = OPENTELEMETRY__PROTO__METRICS__V1__NUMBER_DATA_POINT__VALUE_AS_DOUBLE
                    point.pointee.as_double = series.value
                    let labels = zip(series.labels.names, series.labels.values).filter { !$0.1.isEmpty }.map { ($0.0, AttributeValue.string($0.1)) }
                    (point.pointee.n_attributes, point.pointee.attributes) = keyValues(labels)
                    points[index] = point
                }
                if family.type == .counter {
                    let sum = allocate(Opentelemetry__Proto__Metrics__V1__Sum.self)
                    opentelemetry__proto__metrics__v1__sum__init(sum)
                    sum.pointee.n_data_points = family.series.count
                    sum.pointee.data_points = points
                    sum.pointee.aggregation_temporality = delta
                        ? OPENTELEMETRY__PROTO__METRICS__V1__AGGREGATION_TEMPORALITY__AGGREGATION_TEMPORALITY_DELTA
                        : OPENTELEMETRY__PROTO__METRICS__V1__AGGREGATION_TEMPORALITY__AGGREGATION_TEMPORALITY_CUMULATIVE
                    sum.pointee.is_monotonic = 1
                    metric.pointee.data_case = OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_SUM
                    metric.pointee.sum = sum
                } else {
                    let gauge = allocate(Opentelemetry__Proto__Metrics__V1__Gauge.self)
                    opentelemetry__proto__metrics__v1__gauge__init(gauge)
                    gauge.pointee.n_data_points = family.series.count
                    gauge.pointee.data_points = points
                    metric.pointee.data_case = OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_GAUGE
                    metric.pointee.gauge = gauge
                }
                metricArray[familyIndex] = metric
            }
            scopeMetrics.pointee.n_metrics = families.count
            scopeMetrics.pointee.metrics = metricArray
            scopeArray[scopeIndex] = scopeMetrics
        }
        resourceMetrics.pointee.n_scope_metrics = scopes.count
        resourceMetrics.pointee.scope_metrics = scopeArray
        let list = allocate(UnsafeMutablePointer<Opentelemetry__Proto__Metrics__V1__ResourceMetrics>?.self)
        list[0] = resourceMetrics
        request.pointee.n_resource_metrics = 1
        request.pointee.resource_metrics = list
        let size = opentelemetry__proto__collector__metrics__v1__export_metrics_service_request__get_packed_size(request)
        var bytes = [UInt8](repeating: 0, count: size)
        _ = bytes.withUnsafeMutableBufferPointer {
            opentelemetry__proto__collector__metrics__v1__export_metrics_service_request__pack(request, $0.baseAddress)
        }
        return bytes
    }

    func logsRequest(_ records: [LogRecord], resource: OTLPResource, scope: OTLPScope) -> [UInt8] {
        let request = allocate(Opentelemetry__Proto__Collector__Logs__V1__ExportLogsServiceRequest.self)
        opentelemetry__proto__collector__logs__v1__export_logs_service_request__init(request)
        let resourceLogs = allocate(Opentelemetry__Proto__Logs__V1__ResourceLogs.self)
        opentelemetry__proto__logs__v1__resource_logs__init(resourceLogs)
        resourceLogs.pointee.resource = self.resource(resource)
        let scopeLogs = allocate(Opentelemetry__Proto__Logs__V1__ScopeLogs.self)
        opentelemetry__proto__logs__v1__scope_logs__init(scopeLogs)
        scopeLogs.pointee.scope = self.scope(scope)
        let array = allocate(UnsafeMutablePointer<Opentelemetry__Proto__Logs__V1__LogRecord>?.self, count: records.count)
        for (index, record) in records.enumerated() {
            let log = allocate(Opentelemetry__Proto__Logs__V1__LogRecord.self)
            opentelemetry__proto__logs__v1__log_record__init(log)
            log.pointee.time_unix_nano = record.timeUnixNano
            log.pointee.observed_time_unix_nano = record.observedTimeUnixNano
            log.pointee.severity_number = Opentelemetry__Proto__Logs__V1__SeverityNumber(rawValue: UInt32(record.severityNumber))
            log.pointee.severity_text = string(record.severityText)
            log.pointee.body = anyValue(.string(record.body))
            (log.pointee.n_attributes, log.pointee.attributes) = keyValues(record.attributes.map { ($0.key, $0.value) })
            log.pointee.event_name = string(record.eventName)
            array[index] = log
        }
        scopeLogs.pointee.n_log_records = records.count
        scopeLogs.pointee.log_records = array
        let scopeList = allocate(UnsafeMutablePointer<Opentelemetry__Proto__Logs__V1__ScopeLogs>?.self)
        scopeList[0] = scopeLogs
        resourceLogs.pointee.n_scope_logs = 1
        resourceLogs.pointee.scope_logs = scopeList
        let list = allocate(UnsafeMutablePointer<Opentelemetry__Proto__Logs__V1__ResourceLogs>?.self)
        list[0] = resourceLogs
        request.pointee.n_resource_logs = 1
        request.pointee.resource_logs = list
        let size = opentelemetry__proto__collector__logs__v1__export_logs_service_request__get_packed_size(request)
        var bytes = [UInt8](repeating: 0, count: size)
        _ = bytes.withUnsafeMutableBufferPointer {
            opentelemetry__proto__collector__logs__v1__export_logs_service_request__pack(request, $0.baseAddress)
        }
        return bytes
    }
}
