import KubeWatch
import ServiceLifecycle

/// Runs the Lease election until graceful shutdown, then releases the Lease. Listed
/// before the watches and the event stream so that it stops after them: by then the
/// event stream has written its final checkpoint, which the release carries to the
/// next holder.
struct LeaderElectionService: Service {
    let elector: LeaderElector

    func run() async throws {
        await cancelWhenGracefulShutdown { await elector.run() }
    }
}
