import KubeWatch
import TelemetryModel

/// An event occurrence as an OTLP log record, with the OpenTelemetry Collector
/// `k8s_events` receiver's names, so that queries written for it keep working: body =
/// message, severity from the type, time = the occurrence's own time, observed time =
/// when Telegen saw it, and its attributes in the receiver's order. Differences
/// (docs/events.md lists them for users): the involved object's `k8s.object.*` are
/// record attributes (the receiver makes one resource per event; Telegen's resource is
/// the agent's), with `k8s.object.namespace` beside them; the event's node
/// (`source.host`) is not sent, for the same reason; `k8s.event.count` is always
/// there (the occurrence's count, where the receiver leaves out a zero `count`);
/// observed time is set; an unknown type keeps its severity text.
public struct EventRecordMapping: Sendable {
    /// Longer messages are cut at a UTF-8 boundary; `telegen.event.message.original_size`
    /// then says how long it was.
    public var maximumMessageBytes: Int

    public init(maximumMessageBytes: Int = 4096) {
        self.maximumMessageBytes = maximumMessageBytes
    }

    /// The record of `event`'s latest occurrence (`repeat`: a count that grew, whose
    /// time is the series' last observation rather than the first).
    public func record(_ event: KubeEvent, repeat isRepeat: Bool, observedUnixNano: UInt64) -> LogRecord {
        let severity = EventSeverity(eventType: event.type)
        let (body, originalSize) = Self.truncated(event.message, toBytes: maximumMessageBytes)
        let involved = event.involvedObject
        var attributes: [LogRecord.Attribute] = [
            .init("k8s.event.reason", .string(event.reason)),
            .init("k8s.event.action", .string(event.action)),
            .init("k8s.event.start_time", .string(event.metadata.creationTimestamp.map {
                GoTimeText.utc(MicroTime(unixNanoseconds: $0.seconds &* 1_000_000_000))
            } ?? "0001-01-01 00:00:00 +0000 UTC")),
            .init("k8s.event.name", .string(event.metadata.name)),
            .init("k8s.event.uid", .string(event.metadata.uid)),
            .init("k8s.namespace.name", .string(involved.namespace)),
            .init("k8s.event.reporting_controller", .string(event.reportingController)),
            .init("k8s.event.reporting_instance", .string(event.reportingInstance)),
            .init("k8s.event.count", .int(event.occurrences)),
            .init("k8s.object.kind", .string(involved.kind)),
            .init("k8s.object.name", .string(involved.name)),
            .init("k8s.object.uid", .string(involved.uid)),
            .init("k8s.object.namespace", .string(involved.namespace)),
            .init("k8s.object.fieldpath", .string(involved.fieldPath)),
            .init("k8s.object.api_version", .string(involved.apiVersion)),
            .init("k8s.object.resource_version", .string(involved.resourceVersion)),
        ]
        if let originalSize { attributes.append(.init("telegen.event.message.original_size", .int(Int64(originalSize)))) }
        let time = event.occurrenceTime(latest: isRepeat).map { UInt64(clamping: $0.unixNanoseconds) } ?? 0
        return LogRecord(timeUnixNano: time, observedTimeUnixNano: observedUnixNano, severityNumber: severity.number,
                         severityText: severity.text, body: body, attributes: attributes)
    }

    /// `text` cut to at most `limit` bytes without splitting a character's encoding, and
    /// its original size when it was cut.
    static func truncated(_ text: String, toBytes limit: Int) -> (String, Int?) {
        let utf8 = text.utf8
        guard utf8.count > limit else { return (text, nil) }
        var end = utf8.index(utf8.startIndex, offsetBy: max(limit, 0))
        // Back off continuation bytes (10xxxxxx) to the start of the character.
        while end > utf8.startIndex && utf8[end] & 0xC0 == 0x80 { end = utf8.index(before: end) }
        return (String(decoding: utf8[..<end], as: UTF8.self), utf8.count)
    }
}
