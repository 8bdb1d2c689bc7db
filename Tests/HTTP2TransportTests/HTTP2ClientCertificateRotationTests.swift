import Foundation
import HTTP2Transport
import Testing
import TestSupport

/// CA and client certificate files rotate in place (cert-manager, Secret volumes): the
/// next connection uses the new files without a restart, and files that do not load
/// keep the last good ones. Certificates from the openssl command line; the servers are
/// grpcio and the fake API server (which records each request's client certificate).
@Suite(.serialized)
struct HTTP2ClientCertificateRotationTests {
    static let request = HTTP2Request(path: HTTP2ClientTests.exportPath, headers: [("content-type", "application/grpc"), ("te", "trailers")],
                                      body: HTTP2ClientTests.emptyCall)

    @Test func aReplacedCAFileIsUsedByTheNextConnection() async throws {
        let certificates = try TestCertificates()
        let scratch = try TemporaryDirectory("rotation")
        // The server's files, replaced later by ones the other CA signed.
        let serverCertificate = scratch.path + "/server.pem", serverKey = scratch.path + "/server.key"
        try FileManager.default.copyItem(atPath: certificates.serverCertificate, toPath: serverCertificate)
        try FileManager.default.copyItem(atPath: certificates.serverKey, toPath: serverKey)
        let caFile = scratch.path + "/ca.crt"
        try replaceFile(caFile, with: try String(contentsOfFile: certificates.caCertificate, encoding: .utf8))

        let receiver = try OTLPReceiver(tls: .init(certificate: serverCertificate, key: serverKey))
        let client = try HTTP2Client(endpoint: HTTP2Endpoint(url: "https://localhost:\(receiver.port)"),
                                     tls: TLSConfiguration(certificateAuthority: .file(caFile)))
        defer { client.shutdown() }
        #expect(try await client.send(Self.request).trailer("grpc-status") == "0")

        // The server now presents a certificate from the other CA; the client's CA file
        // still names the first one.
        try certificates.signServerCertificateWithOtherCA(certificate: serverCertificate, key: serverKey)
        receiver.stop()
        try receiver.start()
        do {
            _ = try await client.send(Self.request)
            Issue.record("a certificate from an untrusted CA was accepted")
        } catch {
            #expect("\(error)".contains("certificate verify failed"), "\(error)")
        }

        // The CA file is rotated: the next connection trusts the new CA, same client.
        try replaceFile(caFile, with: try String(contentsOfFile: certificates.otherCACertificate, encoding: .utf8))
        #expect(try await client.send(Self.request).trailer("grpc-status") == "0")
        #expect(client.statistics.tlsReloads == 1 && client.statistics.tlsReloadFailures == 0, "\(client.statistics)")

        // A broken file keeps the last good CA (and says so once).
        try replaceFile(caFile, with: "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n")
        receiver.stop()
        try receiver.start()
        #expect(try await client.send(Self.request).trailer("grpc-status") == "0")
        receiver.stop()
        try receiver.start()
        #expect(try await client.send(Self.request).trailer("grpc-status") == "0")
        #expect(client.statistics.tlsReloads == 1 && client.statistics.tlsReloadFailures == 1, "\(client.statistics)")
    }

    @Test func aReplacedClientCertificateIsPresentedByTheNextConnection() async throws {
        let server = try FakeAPIServer(FakeAPIServer.Options(requireClientCertificate: true))
        defer { server.stop() }
        let scratch = try TemporaryDirectory("client-rotation")
        let certificateFile = scratch.path + "/tls.crt", keyFile = scratch.path + "/tls.key"
        try replaceFile(certificateFile, with: try String(contentsOfFile: server.certificates.clientCertificate, encoding: .utf8))
        try replaceFile(keyFile, with: try String(contentsOfFile: server.certificates.clientKey, encoding: .utf8))
        let client = try HTTP2Client(endpoint: HTTP2Endpoint(url: server.url), tls: TLSConfiguration(
            certificateAuthority: .file(server.caFile), certificate: .file(certificateFile), privateKey: .file(keyFile)))
        defer { client.shutdown() }
        let namespaces = HTTP2Request(method: "GET", path: "/api/v1/namespaces", headers: [("accept", "application/json")])
        func presented() throws -> [String] { try server.requests().map { $0["client_cert"] as? String ?? "none" } }

        #expect(try await client.send(namespaces).status == 200)
        #expect(try presented() == ["client"])

        // The pair is replaced (both files, as a Secret volume swaps them together); the
        // open connection keeps the old identity, the next one presents the new.
        let rotated = scratch.path + "/rotated"
        try server.certificates.signClientCertificate(commonName: "rotated-client", certificate: rotated + ".crt", key: rotated + ".key")
        try replaceFile(certificateFile, with: try String(contentsOfFile: rotated + ".crt", encoding: .utf8))
        try replaceFile(keyFile, with: try String(contentsOfFile: rotated + ".key", encoding: .utf8))
        #expect(try await client.send(namespaces).status == 200)
        #expect(try await Self.sendAfterDrop(namespaces, client, server) == 200)
        #expect(try presented() == ["client", "client", "rotated-client"])
        #expect(client.statistics.tlsReloads == 1 && client.statistics.tlsReloadFailures == 0, "\(client.statistics)")

        // Half a rotation (a new certificate whose key has not arrived yet) does not load:
        // the last good pair stays in use, and the failure is counted once.
        try server.certificates.signClientCertificate(commonName: "half-rotated", certificate: rotated + "-2.crt", key: rotated + "-2.key")
        try replaceFile(certificateFile, with: try String(contentsOfFile: rotated + "-2.crt", encoding: .utf8))
        #expect(try await Self.sendAfterDrop(namespaces, client, server) == 200)
        #expect(try await Self.sendAfterDrop(namespaces, client, server) == 200)
        #expect(try presented().suffix(2) == ["rotated-client", "rotated-client"])
        #expect(client.statistics.tlsReloads == 1 && client.statistics.tlsReloadFailures == 1, "\(client.statistics)")
    }

    /// After the server drops its connections the client may not have read the close
    /// yet, and a request on it fails as lost; callers (the reflector) retry, so does this.
    static func sendAfterDrop(_ request: HTTP2Request, _ client: HTTP2Client, _ server: FakeAPIServer) async throws -> Int {
        #expect(try server.dropConnections() >= 1)
        var attempts = 0
        while true {
            attempts += 1
            do {
                return try await client.send(request).status
            } catch {
                guard attempts < 20, "\(error)".contains("connection lost") else { throw error }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
