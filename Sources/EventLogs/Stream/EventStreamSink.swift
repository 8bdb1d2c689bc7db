import KubeWatch
import TelemetryModel

/// The reflector's sink for one event stream: decodes each notification's event and
/// hands it to the shared intake; keeps nothing of the objects.
public final class EventStreamSink: ReflectorSink {
    public let stream: String
    private let intake: EventIntake

    public init(stream: String, intake: EventIntake) {
        self.stream = stream
        self.intake = intake
    }

    public func apply(_ event: WatchEvent, object: UnsafeBufferPointer<UInt8>) throws -> ObjectVersion {
        let decoded = try KubeEvent(json: object)
        intake.handle(event, decoded, stream: stream, observedUnixNano: WallClock.nowUnixNano())
        return ObjectVersion(uid: decoded.metadata.uid, resourceVersion: decoded.metadata.resourceVersion)
    }

    public func remove(uid: String) {}

    public func beginRelist() {}

    public func endRelist() -> Int { 0 }

    public func progressed(to resourceVersion: String) {
        intake.progressed(stream: stream, to: resourceVersion)
    }
}
