import KubeWatch

/// kube-state-metrics' volumeattachment families (internal/store/volumeattachment.go),
/// in its output order. Every sample starts with `volumeattachment`.
extension VolumeAttachment {
    public static let families: [Family<VolumeAttachment>] = [
        // Not behind the labels allowlist: one sample always, with every label.
        Family("kube_volumeattachment_labels", "Kubernetes labels converted to Prometheus labels.", dynamic: true) { attachment, out in
            let (names, values) = PrometheusLabelKeys.names(for: attachment.metadata.labels, prefix: "label")
            out.add(names: names, values: values, 1)
        },
        .info("kube_volumeattachment_info", "Information about volumeattachment.", labels: ["attacher", "node"]) { attachment in
            [attachment.attacher, attachment.nodeName]
        },
        .created("kube_volumeattachment_created", "Unix creation timestamp", .alpha),
        .info("kube_volumeattachment_spec_source_persistentvolume", "PersistentVolume source reference.", labels: ["volumename"]) { attachment in
            attachment.persistentVolumeName.map { [$0] }
        },
        .gauge("kube_volumeattachment_status_attached", "Information about volumeattachment.") { $0.attached ? 1 : 0 },
        Family("kube_volumeattachment_status_attachment_metadata", "volumeattachment metadata.", dynamic: true) { attachment, out in
            let (names, values) = PrometheusLabelKeys.names(for: attachment.attachmentMetadata, prefix: "metadata")
            out.add(names: names, values: values, 1)
        },
    ]
}
