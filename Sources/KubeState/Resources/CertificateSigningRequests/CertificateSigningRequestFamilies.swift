import KubeWatch

/// kube-state-metrics' certificatesigningrequest families
/// (internal/store/certificatesigningrequest.go), in its output order. Every sample
/// starts with `certificatesigningrequest, signer_name`.
extension CertificateSigningRequest {
    public static let families: [Family<CertificateSigningRequest>] = [
        .annotations("kube_certificatesigningrequest_annotations"),
        .labels("kube_certificatesigningrequest_labels"),
        .created("kube_certificatesigningrequest_created"),
        // How many conditions of each type, whatever their status; all three always.
        Family("kube_certificatesigningrequest_condition", "The number of each certificatesigningrequest condition", .stable,
               labels: ["condition"]) { csr, out in
            for (type, label) in [("Approved", "approved"), ("Denied", "denied"), ("Failed", "failed")] {
                out.add(label, Double(csr.status.conditions.count { $0.type == type }))
            }
        },
        .gauge("kube_certificatesigningrequest_cert_length", "Length of the issued cert", .stable) { csr in
            Double(csr.status.certificateLength)
        },
    ]
}
