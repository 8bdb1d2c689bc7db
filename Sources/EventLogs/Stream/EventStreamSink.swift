import KubeWatch
#if canImport(Glibc)
import Glibc
#endif

/// The reflector's sink for one event stream: decodes each notification's event and
/// hands it to the shared intake; keeps nothing of the objects.
final class EventStreamSink: ReflectorSink {
    let stream: String
    private let intake: EventIntake

    init(stream: String, intake: EventIntake) {
        self.stream = stream
        self.intake = intake
    }

    func apply(_ event: WatchEvent, object: UnsafeBufferPointer<UInt8>) throws -> ObjectVersion {
        let decoded = try KubeEvent(json: object)
        intake.handle(event, decoded, stream: stream, observedUnixNano: Self.now())
        return ObjectVersion(uid: decoded.metadata.uid, resourceVersion: decoded.metadata.resourceVersion)
    }

    func remove(uid: String) {}

    func beginRelist() {}

    func endRelist() -> Int { 0 }

    func progressed(to resourceVersion: String) {
        intake.progressed(stream: stream, to: resourceVersion)
    }

    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return UInt64(max(time.tv_sec, 0)) &* 1_000_000_000 &+ UInt64(max(time.tv_nsec, 0))
    }
}
