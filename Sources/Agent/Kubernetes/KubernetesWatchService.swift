import KubeState
import ServiceLifecycle

/// Runs the kube-state watches as one of the agent's services.
struct KubernetesWatchService: Service {
    let source: KubeStateSource

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await source.run()
        }
    }
}
