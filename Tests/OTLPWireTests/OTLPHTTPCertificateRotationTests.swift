import Foundation
import HTTP2Transport
import OTLPWire
import Testing
import TestSupport

/// OTLP/HTTP (AsyncHTTPClient + NIOSSL) re-reads a rotated CA file for its next
/// connection, and keeps the last good one when the new file does not load.
@Suite(.serialized)
struct OTLPHTTPCertificateRotationTests {
    @Test func aReplacedCAFileIsUsedByTheNextConnection() async throws {
        let certificates = try TestCertificates()
        let scratch = try TemporaryDirectory("rotation")
        let serverCertificate = scratch.path + "/server.pem", serverKey = scratch.path + "/server.key"
        try FileManager.default.copyItem(atPath: certificates.serverCertificate, toPath: serverCertificate)
        try FileManager.default.copyItem(atPath: certificates.serverKey, toPath: serverKey)
        let caFile = scratch.path + "/ca.crt"
        try replaceFile(caFile, with: try String(contentsOfFile: certificates.caCertificate, encoding: .utf8))

        let receiver = try OTLPHTTPReceiver(tls: .init(certificate: serverCertificate, key: serverKey))
        let transport = try OTLPHTTPTransport(urls: [.metrics: "https://localhost:\(receiver.port)/v1/metrics"], settings: TransportSettings(
            tls: TLSConfiguration(certificateAuthority: .file(caFile)), compression: .none, timeout: .seconds(5), userAgent: "telegen/test"))
        let batch = ExportBatch(signal: .metrics, message: [], items: 0)
        func delivered() async -> Bool {
            if case .success = await transport.send(batch).outcome { return true }
            return false
        }
        #expect(await delivered())

        try certificates.signServerCertificateWithOtherCA(certificate: serverCertificate, key: serverKey)
        receiver.stop()
        try receiver.start()
        #expect(!(await delivered()), "a certificate from an untrusted CA was accepted")

        try replaceFile(caFile, with: try String(contentsOfFile: certificates.otherCACertificate, encoding: .utf8))
        #expect(await delivered())
        #expect(transport.tlsReloads == (1, 0), "\(transport.tlsReloads)")

        try replaceFile(caFile, with: "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n")
        receiver.stop()
        try receiver.start()
        #expect(await delivered())
        #expect(transport.tlsReloads == (1, 1), "\(transport.tlsReloads)")
        await transport.shutdown()
    }
}
