import TelemetryModel

/// Encodes log records as `ExportLogsServiceRequest` protobuf under one scope,
/// split into requests no larger than `maximumRequestBytes` (uncompressed).
public struct OTLPLogsEncoder: Sendable {
    public struct EncodedRequest: Sendable {
        public var bytes: [UInt8]
        public var records: Int
    }

    public struct Output: Sendable {
        public var requests: [EncodedRequest]
        /// Records that alone exceed the request size limit and cannot be sent.
        public var oversizedRecords: Int
    }

    public var resource: OTLPResource
    public var scope: OTLPScope
    public var maximumRequestBytes: Int

    public init(resource: OTLPResource, scope: OTLPScope, maximumRequestBytes: Int = 4 * 1024 * 1024) {
        self.resource = resource
        self.scope = scope
        self.maximumRequestBytes = maximumRequestBytes
    }

    public func encode(_ records: [LogRecord]) -> Output {
        let sizes = records.map(Self.recordSize)
        // ResourceLogs wrapper, resource, and the ScopeLogs wrapper with its scope.
        let base = 6 + ProtobufSize.message(1, contentSize: resource.contentSize) + 6 + ProtobufSize.message(1, contentSize: scope.contentSize)
        var requests: [EncodedRequest] = []
        var oversized = 0
        var batch: [Int] = []
        var estimate = base
        for (index, size) in sizes.enumerated() {
            let field = ProtobufSize.message(2, contentSize: size)
            if base + field > maximumRequestBytes {
                oversized += 1
                continue
            }
            if estimate + field > maximumRequestBytes && !batch.isEmpty {
                requests.append(EncodedRequest(bytes: write(batch, records: records, sizes: sizes), records: batch.count))
                batch.removeAll()
                estimate = base
            }
            batch.append(index)
            estimate += field
        }
        if !batch.isEmpty {
            requests.append(EncodedRequest(bytes: write(batch, records: records, sizes: sizes), records: batch.count))
        }
        return Output(requests: requests, oversizedRecords: oversized)
    }

    // LogRecord: time_unix_nano = 1, severity_number = 2, severity_text = 3, body = 5,
    // attributes = 6, observed_time_unix_nano = 11, event_name = 12. Zero and empty
    // values are not sent (proto3).
    static func recordSize(_ record: LogRecord) -> Int {
        var size = 0
        if record.timeUnixNano != 0 { size += ProtobufSize.fixed64Field }
        if record.severityNumber != 0 { size += 1 + ProtobufSize.varint(UInt64(UInt32(bitPattern: record.severityNumber))) }
        if !record.severityText.isEmpty { size += ProtobufSize.string(3, record.severityText) }
        size += ProtobufSize.message(5, contentSize: OTLPAttributes.anyValueSize(.string(record.body)))
        for attribute in record.attributes { size += OTLPAttributes.fieldSize(6, attribute.key, attribute.value) }
        if record.observedTimeUnixNano != 0 { size += ProtobufSize.fixed64Field }
        if !record.eventName.isEmpty { size += ProtobufSize.string(12, record.eventName) }
        return size
    }

    private func write(_ batch: [Int], records: [LogRecord], sizes: [Int]) -> [UInt8] {
        let scopeLogsSize = batch.reduce(ProtobufSize.message(1, contentSize: scope.contentSize)) {
            $0 + ProtobufSize.message(2, contentSize: sizes[$1])
        }
        let resourceLogsSize = ProtobufSize.message(1, contentSize: resource.contentSize) + ProtobufSize.message(2, contentSize: scopeLogsSize)
        let total = ProtobufSize.message(1, contentSize: resourceLogsSize)
        return ProtobufWriter.build(size: total) { writer in
            // ExportLogsServiceRequest.resource_logs = 1; ResourceLogs: resource = 1, scope_logs = 2;
            // ScopeLogs: scope = 1, log_records = 2
            writer.messageHeader(1, contentSize: resourceLogsSize)
            resource.write(1, to: &writer)
            writer.messageHeader(2, contentSize: scopeLogsSize)
            scope.write(1, to: &writer)
            for index in batch {
                let record = records[index]
                writer.messageHeader(2, contentSize: sizes[index])
                if record.timeUnixNano != 0 { writer.fixed64(1, record.timeUnixNano) }
                if record.severityNumber != 0 {
                    writer.tag(2, .varint)
                    writer.varint(UInt64(UInt32(bitPattern: record.severityNumber)))
                }
                if !record.severityText.isEmpty { writer.string(3, record.severityText) }
                OTLPAttributes.writeAnyValue(5, .string(record.body), to: &writer)
                for attribute in record.attributes { OTLPAttributes.write(6, attribute.key, attribute.value, to: &writer) }
                if record.observedTimeUnixNano != 0 { writer.fixed64(11, record.observedTimeUnixNano) }
                if !record.eventName.isEmpty { writer.string(12, record.eventName) }
            }
        }
    }
}
