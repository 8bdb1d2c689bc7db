import Foundation
import HTTP2Transport
import Testing
import TestSupport

/// The transport against gRPC's own HTTP/2 server (grpcio, in the Python receiver):
/// an empty ExportMetricsServiceRequest is a valid call with a 0-byte message.
@Suite(.serialized)
struct HTTP2ClientTests {
    static let exportPath = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export"
    static let emptyCall: [UInt8] = [0, 0, 0, 0, 0]

    private func grpcRequest(timeout: Duration = .seconds(10)) -> HTTP2Request {
        HTTP2Request(path: Self.exportPath, headers: [("content-type", "application/grpc"), ("te", "trailers")],
                     body: Self.emptyCall, timeout: timeout)
    }

    @Test func plaintextPriorKnowledgeCallsShareOneConnection() async throws {
        let receiver = try OTLPReceiver()
        let client = try HTTP2Client(endpoint: HTTP2Endpoint(url: "http://127.0.0.1:\(receiver.port)"))
        defer { client.shutdown() }
        for _ in 0..<3 {
            let response = try await client.send(grpcRequest())
            #expect(response.status == 200)
            #expect(response.header("content-type") == "application/grpc")
            #expect(response.trailer("grpc-status") == "0")
            #expect(response.body.count == 5)  // an empty response message, framed
        }
        // Concurrent streams on the same connection.
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<20 { group.addTask { try await client.send(grpcRequest()).status } }
            for try await status in group { #expect(status == 200) }
        }
        #expect(try await receiver.waitForRequests(23).count == 23)
        let statistics = client.statistics
        #expect(statistics.connectionsOpened == 1 && statistics.connectFailures == 0 && statistics.goAways == 0)
    }

    @Test func tlsWithALPNAndHostnameVerification() async throws {
        let certificates = try TestCertificates()
        let receiver = try OTLPReceiver(tls: .init(certificate: certificates.serverCertificate, key: certificates.serverKey))
        let trusted = TLSConfiguration(certificateAuthority: .file(certificates.caCertificate))

        for host in ["localhost", "127.0.0.1"] {
            let client = try HTTP2Client(endpoint: HTTP2Endpoint(url: "https://\(host):\(receiver.port)"), tls: trusted)
            #expect(try await client.send(grpcRequest()).trailer("grpc-status") == "0", "\(host)")
            client.shutdown()
        }
        // The certificate is valid, but not for this name: chain verification alone would accept it.
        var wrongName = trusted
        wrongName.serverName = "wrong.example"
        let misnamed = try HTTP2Client(endpoint: HTTP2Endpoint(url: "https://127.0.0.1:\(receiver.port)"), tls: wrongName)
        await #expect(throws: HTTP2Error.self) { _ = try await misnamed.send(grpcRequest()) }
        do { _ = try await misnamed.send(grpcRequest()) } catch { #expect("\(error)".contains("certificate verify failed")) }
        // A CA that did not sign the server's certificate.
        let untrusted = try HTTP2Client(endpoint: HTTP2Endpoint(url: "https://localhost:\(receiver.port)"),
                                        tls: TLSConfiguration(certificateAuthority: .file(certificates.otherCACertificate)))
        await #expect(throws: HTTP2Error.self) { _ = try await untrusted.send(grpcRequest()) }
        // Inline CA data works like a file (kubeconfigs carry certificate-authority-data).
        let inline = try HTTP2Client(endpoint: HTTP2Endpoint(url: "https://localhost:\(receiver.port)"),
                                     tls: TLSConfiguration(certificateAuthority: .data(Array(try Data(contentsOf: URL(fileURLWithPath: certificates.caCertificate))))))
        #expect(try await inline.send(grpcRequest()).status == 200)
        // Skipping verification accepts even an untrusted certificate.
        let insecure = try HTTP2Client(endpoint: HTTP2Endpoint(url: "https://localhost:\(receiver.port)"),
                                       tls: TLSConfiguration(insecureSkipVerify: true))
        #expect(try await insecure.send(grpcRequest()).status == 200)
    }

    @Test func mutualTLS() async throws {
        let certificates = try TestCertificates()
        let receiver = try OTLPReceiver(tls: .init(certificate: certificates.serverCertificate, key: certificates.serverKey,
                                                   clientCA: certificates.caCertificate))
        let endpoint = try HTTP2Endpoint(url: "https://localhost:\(receiver.port)")
        let withCertificate = try HTTP2Client(endpoint: endpoint, tls: TLSConfiguration(
            certificateAuthority: .file(certificates.caCertificate),
            certificate: .file(certificates.clientCertificate), privateKey: .file(certificates.clientKey)))
        #expect(try await withCertificate.send(grpcRequest()).trailer("grpc-status") == "0")
        let without = try HTTP2Client(endpoint: endpoint, tls: TLSConfiguration(certificateAuthority: .file(certificates.caCertificate)))
        await #expect(throws: HTTP2Error.self) { _ = try await without.send(grpcRequest()) }
        // A key that is not the certificate's is refused before any connection.
        #expect(throws: (any Error).self) {
            _ = try HTTP2Client(endpoint: endpoint, tls: TLSConfiguration(
                certificate: .file(certificates.clientCertificate), privateKey: .file(certificates.serverKey)))
        }
    }

    @Test func ipv6Loopback() async throws {
        let receiver = try OTLPReceiver(host: "[::1]")
        let client = try HTTP2Client(endpoint: HTTP2Endpoint(url: "http://[::1]:\(receiver.port)"))
        defer { client.shutdown() }
        #expect(try await client.send(grpcRequest()).trailer("grpc-status") == "0")
    }

    @Test func unreachableHostsFailFast() async throws {
        let port = try LocalPort.free()
        let refused = try HTTP2Client(endpoint: HTTP2Endpoint(url: "http://127.0.0.1:\(port)"))
        await #expect(throws: HTTP2Error.self) { _ = try await refused.send(grpcRequest()) }
        let unresolvable = try HTTP2Client(endpoint: HTTP2Endpoint(url: "http://no-such-host.invalid:4317"))
        do {
            _ = try await unresolvable.send(grpcRequest())
            Issue.record("resolved an .invalid name")
        } catch {
            #expect("\(error)".contains("resolve no-such-host.invalid"))
        }
    }

    @Test(arguments: [
        ("http://collector:4317", true, "collector", 4317, ""), ("https://[::1]:4318/otlp/", true, "::1", 4318, "/otlp"),
        ("https://example.com", true, "example.com", 443, ""), ("http://10.0.0.1", true, "10.0.0.1", 80, ""),
    ])
    func endpoints(url: String, valid: Bool, host: String, port: Int, path: String) throws {
        let endpoint = try HTTP2Endpoint(url: url)
        #expect(endpoint.host == host && endpoint.port == port && endpoint.pathPrefix == path)
    }

    @Test(arguments: ["collector:4317", "ftp://x", "http://", "http://host:0", "http://host:99999", "https://[::1:4317"])
    func invalidEndpoints(url: String) {
        #expect(throws: HTTP2Endpoint.InvalidURL.self) { try HTTP2Endpoint(url: url) }
    }
}
