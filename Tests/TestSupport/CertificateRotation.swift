import Foundation

/// What certificate-rotation tests do to files: replace them as Secret volumes and
/// cert-manager do, and make a server certificate from the other CA or another client
/// certificate from the first.
extension TestCertificates {
    /// Writes a localhost/127.0.0.1 server certificate and key, signed by `other-ca`,
    /// at the given paths.
    public func signServerCertificateWithOtherCA(certificate: String, key: String) throws {
        try sign(name: "rotated-server", by: "other-ca", usage: "serverAuth", san: "DNS:localhost,IP:127.0.0.1",
                 certificate: certificate, key: key)
    }

    /// Writes a client certificate with the common name `commonName` and its key, signed
    /// by `ca` (the CA the servers trust), at the given paths.
    public func signClientCertificate(commonName: String, certificate: String, key: String) throws {
        try sign(name: commonName, by: "ca", usage: "clientAuth", san: "DNS:\(commonName)", certificate: certificate, key: key)
    }

    private func sign(name: String, by ca: String, usage: String, san: String, certificate: String, key: String) throws {
        let openssl = try Command.which("openssl", installHint: "apt-get install openssl (scripts/test does)")
        let dir = directory.path
        func run(_ arguments: [String]) throws {
            let result = try Command.run(openssl, arguments)
            guard result.status == 0 else { throw CommandError.missing("openssl \(arguments.joined(separator: " ")): \(result.stderr)") }
        }
        try "subjectAltName=\(san)\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=\(usage)\n"
            .write(toFile: "\(dir)/\(name).ext", atomically: true, encoding: .utf8)
        try run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
                 "-out", "\(dir)/\(name).csr", "-subj", "/CN=\(name)"])
        try run(["x509", "-req", "-in", "\(dir)/\(name).csr", "-CA", "\(dir)/\(ca).pem", "-CAkey", "\(dir)/\(ca).key",
                 "-CAcreateserial", "-out", certificate, "-days", "2", "-extfile", "\(dir)/\(name).ext"])
    }
}

/// Writes `text` beside `path` and renames it over: a new inode, as a Secret volume's
/// update or cert-manager's rewrite gives.
public func replaceFile(_ path: String, with text: String) throws {
    let temporary = path + ".tmp"
    try text.write(toFile: temporary, atomically: false, encoding: .utf8)
    guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
}
