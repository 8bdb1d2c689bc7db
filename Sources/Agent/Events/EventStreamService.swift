import EventLogs
import KubeWatch
import ServiceLifecycle

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

    /// One forwarder run per term, resuming from the checkpoint the Lease carries; a
    /// term ended by shutdown ends in an orderly way (its checkpoint is what the
    /// elector's release carries), one ended by lost leadership abandons.
    private func runWhileLeading(_ leadership: LeaderElector) async {
        await leadership.forEachTerm { [forwarder] lease, lost in
            let checkpoint = lease.annotation(Self.checkpointAnnotation).flatMap { EventCheckpoint(json: Array($0.utf8)) }
            await forwarder.run(resumingFrom: checkpoint, abandoned: lost)
        }
    }
}
