import KubeWatch
import ServiceLifecycle

/// Runs the pod watch as one of the agent's services.
struct KubernetesWatchService: Service {
    let pods: PodWatch

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await pods.run()
        }
    }
}
