import Foundation
import Testing
import TestSupport

/// The `telegen` binary as users run it: flags, exit codes and messages from docs/configuration.md.
struct CommandLineTests {
    private func telegen(_ arguments: [String], environment: [String: String]? = nil) throws -> CommandResult {
        try Command.run(try Repository.telegenBinary(), arguments, environment: environment, timeout: 60)
    }

    @Test func version() throws {
        let result = try telegen(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("telegen "))
    }

    @Test func onceCollectsAndPrintsNodeMetrics() throws {
        let scratch = try TemporaryDirectory()
        let config = try scratch.write("telegen.yaml", "kube_metrics:\n  node:\n    collect_interval: 5s\n")
        let result = try telegen(["--config", config, "--once"])
        #expect(result.status == 0, "\(result.stderr)")
        for family in ["node_cpu_seconds_total", "node_memory_MemTotal_bytes", "node_filesystem_avail_bytes", "node_load1",
                       "node_uname_info", "telegen_build_info", "telegen_process_resident_memory_bytes"] {
            #expect(result.stdout.contains("# TYPE \(family) "), "\(family)")
        }
    }

    @Test func checkConfigAcceptsAGoodFileAndRejectsABadOneWithPositions() throws {
        let scratch = try TemporaryDirectory()
        let good = try scratch.write("good.yaml", "kube_metrics:\n  listen_address: \":9100\"\n")
        let ok = try telegen(["--check-config", "--config", good])
        #expect(ok.status == 0)
        #expect(ok.stdout == "\(good): configuration is valid\n")

        let bad = try scratch.write("bad.yaml", "kube_metrics:\n  nodes:\n    enabled: true\n  streaming:\n    timeout: forever\n")
        let rejected = try telegen(["--check-config", "--config", bad])
        #expect(rejected.status == 2)
        #expect(rejected.stderr == """
            \(bad):2:3: unknown key "nodes" in kube_metrics (did you mean "node"?)
            \(bad):5:14: kube_metrics.streaming.timeout: invalid duration "forever": expected a number at "forever" (use a number with a unit, like 10s, 1m30s or 500ms)

            """)
        // The same file stops a normal start, before anything runs.
        #expect(try telegen(["--config", bad, "--once"]).status == 2)
    }

    /// What the agent prints about a bad kubeconfig, header variable or header setting
    /// names the problem, never the credential.
    @Test func secretsStayOutOfDiagnostics() throws {
        let scratch = try TemporaryDirectory()
        let kubeconfig = try scratch.write("kubeconfig", """
            current-context: x
            contexts:
            - name: x
              context: {cluster: c, user: u}
            clusters:
            - name: c
              cluster: {server: "https://127.0.0.1:1"}
            users:
            - name: u
              user:
                token: "SECRET-kube-t0ken

            """)
        let config = try scratch.write("telegen.yaml", "kube_metrics:\n  streaming:\n    headers: \"Bearer SECRET-file-h3ader\"\n")
        let checked = try telegen(["--check-config", "--config", config])
        #expect(checked.status == 2)
        #expect(checked.stderr.contains("kube_metrics.streaming.headers") && !checked.stderr.contains("SECRET"), "\(checked.stderr)")

        let good = try scratch.write("good.yaml", "kube_metrics:\n  node: {enabled: false}\n  cadvisor: {enabled: false}\n")
        let started = try telegen(["--config", good, "--kubeconfig", kubeconfig, "--once"],
                                  environment: ["OTEL_EXPORTER_OTLP_HEADERS": "authorization Bearer SECRET-env-h3ader"])
        #expect(started.status != 0)
        #expect(started.stderr.contains("OTEL_EXPORTER_OTLP_HEADERS ignored"), "\(started.stderr)")
        #expect(started.stderr.contains(kubeconfig), "\(started.stderr)")
        #expect(!started.stderr.contains("SECRET") && !started.stdout.contains("SECRET"), "\(started.stderr)")
    }

    @Test func usageErrorsExitWithTwo() throws {
        let unknown = try telegen(["--frobnicate"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("Unknown option '--frobnicate'"))
        #expect(try telegen(["--log-level", "loud"]).status == 2)
        let missing = try telegen(["--config", "/no/such/telegen.yaml", "--check-config"])
        #expect(missing.status == 2)
        #expect(missing.stderr == "/no/such/telegen.yaml:1:1: cannot read the configuration: No such file or directory\n")
    }

    @Test func sigtermStopsTheAgentCleanly() throws {
        let scratch = try TemporaryDirectory()
        let port = try LocalPort.free()
        let config = try scratch.write("telegen.yaml", "kube_metrics:\n  listen_address: \"127.0.0.1:\(port)\"\n")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Repository.telegenBinary())
        process.arguments = ["--config", config]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        try LocalPort.waitUntilServing("http://127.0.0.1:\(port)/readyz")
        #expect(try HTTP.get("http://127.0.0.1:\(port)/metrics/node").body.contains("node_load1"))
        process.terminate()  // SIGTERM
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.contains("level=info logger=telegen msg=starting"))
        #expect(log.contains("msg=stopped"))
        #expect(!log.contains("level=warn") && !log.contains("level=error"), "\(log)")
    }
}
