import Foundation
import HTTP2Transport
import Testing
import TestSupport

/// CA files rotate in place (cert-manager, Secret volumes): the next connection uses
/// the new file without a restart, and a file that does not load keeps the last good
/// one. Certificates from the openssl command line; the server is grpcio.
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
}
