import EventLogs
import ServiceLifecycle

/// Runs the event stream as a service: the exporter's sender and the forwarder's
/// watches until graceful shutdown, then the forwarder's own shutdown (last records,
/// delivery stopped, final checkpoint).
struct EventStreamService: Service {
    let forwarder: EventForwarder
    let shipper: EventLogShipper

    func run() async throws {
        shipper.start()
        await cancelWhenGracefulShutdown { await forwarder.run() }
    }
}
