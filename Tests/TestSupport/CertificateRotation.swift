import Foundation

/// What certificate-rotation tests do to files: replace them as Secret volumes and
/// cert-manager do, and make a server certificate from the other CA.
extension TestCertificates {
    /// Writes a localhost/127.0.0.1 server certificate and key, signed by `other-ca`,
    /// at the given paths.
    public func signServerCertificateWithOtherCA(certificate: String, key: String) throws {
        let openssl = try Command.which("openssl", installHint: "apt-get install openssl (scripts/test does)")
        let dir = directory.path
        func run(_ arguments: [String]) throws {
            let result = try Command.run(openssl, arguments)
            guard result.status == 0 else { throw CommandError.missing("openssl \(arguments.joined(separator: " ")): \(result.stderr)") }
        }
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
            .write(toFile: "\(dir)/rotated-server.ext", atomically: true, encoding: .utf8)
        try run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
                 "-out", "\(dir)/rotated-server.csr", "-subj", "/CN=rotated-server"])
        try run(["x509", "-req", "-in", "\(dir)/rotated-server.csr", "-CA", "\(dir)/other-ca.pem", "-CAkey", "\(dir)/other-ca.key",
                 "-CAcreateserial", "-out", certificate, "-days", "2", "-extfile", "\(dir)/rotated-server.ext"])
    }
}

/// Writes `text` beside `path` and renames it over: a new inode, as a Secret volume's
/// update or cert-manager's rewrite gives.
public func replaceFile(_ path: String, with text: String) throws {
    let temporary = path + ".tmp"
    try text.write(toFile: temporary, atomically: false, encoding: .utf8)
    guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
}
