import Foundation
import Testing
import TestSupport

/// `scripts/demo`, the README's first command, so that it cannot rot: its `--check` mode
/// runs the whole demo (the simulated cluster with its events, the printing OTLP receiver,
/// the agent with the demo's configuration) until the receiver has printed kube-state,
/// container and node families and an event and every endpoint answered, and exits 0 only
/// then. The test's own binary stands in for the release build; the ports are free ones,
/// so that the demo runs beside the other tests.
struct DemoTests {
    @Test(.timeLimit(.minutes(5)))
    func theDemoShowsEveryPartWorking() async throws {
        var environment = ProcessInfo.processInfo.environment
        environment["TELEGEN_BINARY"] = try Repository.telegenBinary()
        environment["TELEGEN_DEMO_PORT"] = String(try LocalPort.free())
        environment["TELEGEN_DEMO_RECEIVER_PORT"] = String(try LocalPort.free())
        environment["TELEGEN_DEMO_CHECK_SECONDS"] = "120"
        environment.removeValue(forKey: "KUBECONFIG")
        let demo = Repository.root.appendingPathComponent("scripts/demo").path
        let fixed = environment
        // On a thread of its own: the demo takes tens of seconds, and blocking one of the
        // cooperative pool's threads (two on a 2-core machine) would stall other tests.
        let result = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<CommandResult, any Error>) in
            Thread.detachNewThread {
                continuation.resume(with: Result { try Command.run(demo, ["--check"], environment: fixed, timeout: 240) })
            }
        }
        #expect(result.status == 0, "\(result.combinedOutput)")
        #expect(result.stdout.contains("demo check passed"), "\(result.combinedOutput)")
        // What the README promises a reader sees: the receiver's blocks per scope and the events.
        for scope in ["telegen.kubestate", "telegen.cadvisor", "telegen.node", "telegen.self"] {
            #expect(result.stdout.contains("          \(scope) "), "no \(scope) line in:\n\(result.stdout)")
        }
        #expect(result.stdout.contains(" OTLP log #"), "no event in:\n\(result.stdout)")
        #expect(result.stdout.contains("/metrics/kubestate"))
    }
}
