@testable import Agent
import Foundation
import Testing
import TestSupport

/// The endpoints over a real socket, with curl as the client.
struct HTTPServingTests {
    @Test func servesNegotiatesAndCompresses() async throws {
        let live = try await LiveAgent()
        defer { Task { try? await live.stop() } }

        let plain = try HTTP.get(live.baseURL + "/metrics/node")
        #expect(plain.status == 200)
        #expect(plain.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(plain.headers["content-encoding"] == nil)
        #expect(plain.body.contains("\nnode_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} "))

        let gzipped = try HTTP.get(live.baseURL + "/metrics/node", headers: ["Accept-Encoding": "gzip"], compressed: true)
        #expect(gzipped.headers["content-encoding"] == "gzip")
        #expect(gzipped.body.contains("# TYPE node_load1 gauge"))

        let openMetrics = try HTTP.get(live.baseURL + "/metrics", headers: ["Accept": "application/openmetrics-text;version=1.0.0"])
        #expect(openMetrics.headers["content-type"] == "application/openmetrics-text; version=1.0.0; charset=utf-8")
        #expect(openMetrics.body.hasSuffix("# EOF\n"))
        #expect(openMetrics.body.contains("telegen_build_info"))

        #expect(try HTTP.get(live.baseURL + "/healthz").body == "ok\n")
        #expect(try HTTP.get(live.baseURL + "/readyz").status == 200)
        #expect(try HTTP.get(live.baseURL + "/nope").status == 404)

        let post = try Command.run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-d", "x", live.baseURL + "/metrics"])
        #expect(post.stdout == "405")
        let head = try Command.run("/usr/bin/curl", ["-s", "-I", live.baseURL + "/metrics/node"])
        #expect(head.stdout.hasPrefix("HTTP/1.1 200"))

        // Requests are counted by handler; scrapes never trigger a collection.
        let runsBefore = try HTTP.get(live.baseURL + "/metrics/self").body
        _ = try HTTP.get(live.baseURL + "/metrics")
        let selfText = try HTTP.get(live.baseURL + "/metrics/self").body
        #expect(selfText.contains("telegen_http_requests_total{handler=\"/metrics/node\",code=\"200\"}"))
        #expect(selfText.contains("telegen_http_requests_total{handler=\"other\",code=\"404\"} 1"))
        #expect(runsBefore.contains("telegen_collector_runs_total{collector=\"node\"} 1\n"))
        #expect(selfText.contains("telegen_collector_runs_total{collector=\"node\"} 1\n"))
    }

    @Test func keepsConnectionsAliveAcrossRequests() async throws {
        let live = try await LiveAgent()
        defer { Task { try? await live.stop() } }
        // curl reuses one connection for several URLs on the same host when the server allows it.
        let result = try Command.run("/usr/bin/curl", ["-s", "-v", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null",
                                                        live.baseURL + "/healthz", live.baseURL + "/metrics/node", live.baseURL + "/readyz"])
        #expect(result.status == 0)
        #expect(result.stderr.components(separatedBy: "Re-using existing connection").count - 1 == 2, "\(result.stderr)")
    }

    @Test func aPortInUseIsAClearError() async throws {
        let live = try await LiveAgent()
        defer { Task { try? await live.stop() } }
        let port = Int(live.baseURL.split(separator: ":").last!)!
        let server = MetricsHTTPServer(address: ListenAddress(host: "127.0.0.1", port: port), endpoints: live.agent.endpoints,
                                       logger: .init(label: "test"))
        await #expect(throws: MetricsServerError.self) { try await server.run() }
    }
}
