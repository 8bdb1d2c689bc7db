import EventLogs
import KubeWatch
import ServiceLifecycle
import Synchronization

/// Runs the event stream as a service: the exporter's sender and the forwarder's
/// watches until graceful shutdown, then the forwarder's own shutdown (last records,
/// delivery stopped, final checkpoint).
///
/// With leader election the forwarder runs only while this replica holds the Lease,
/// resuming from the checkpoint the last holder left on it; when leadership ends it
/// stops at once and gives what is not acknowledged up to the next holder.
struct EventStreamService: Service {
    /// The Lease annotation that carries the checkpoint from holder to holder.
    static let checkpointAnnotation = "telegen.io/events-checkpoint"

    let forwarder: EventForwarder
    let shipper: EventLogShipper
    let leadership: LeaderElector?

    init(forwarder: EventForwarder, shipper: EventLogShipper, leadership: LeaderElector?) {
        self.forwarder = forwarder
        self.shipper = shipper
        self.leadership = leadership
        leadership?.setAnnotator { [forwarder] in
            forwarder.publishableCheckpoint.map { [KeyValue(Self.checkpointAnnotation, $0.json)] } ?? []
        }
    }

    func run() async throws {
        shipper.start()
        if let leadership {
            await cancelWhenGracefulShutdown { await runWhileLeading(leadership) }
        } else {
            await cancelWhenGracefulShutdown { await forwarder.run() }
        }
    }

    private func runWhileLeading(_ leadership: LeaderElector) async {
        var term: (task: Task<Void, Never>, lost: LostLeadership)?
        for await change in leadership.changes() {
            switch change {
            case .started(let lease):
                guard term == nil else { continue }
                let checkpoint = lease.annotation(Self.checkpointAnnotation).flatMap { EventCheckpoint(json: Array($0.utf8)) }
                let lost = LostLeadership()
                let forwarder = forwarder
                term = (Task { await forwarder.run(resumingFrom: checkpoint, abandoned: { lost.value }) }, lost)
            case .stopped:
                guard let running = term else { continue }
                term = nil
                running.lost.set()
                running.task.cancel()
                await running.task.value
            }
            if Task.isCancelled { break }
        }
        // Graceful shutdown while leading: an orderly end, whose checkpoint the
        // elector's release then carries.
        if let running = term {
            running.task.cancel()
            await running.task.value
        }
    }
}

/// Set when a term ends because leadership was lost (not by shutdown).
final class LostLeadership: Sendable {
    private let flag = Mutex(false)
    var value: Bool { flag.withLock { $0 } }
    func set() { flag.withLock { $0 = true } }
}
