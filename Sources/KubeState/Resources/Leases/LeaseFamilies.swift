import KubeWatch

/// kube-state-metrics' lease families (internal/store/lease.go), in its output order.
/// Every sample starts with `lease`.
extension Lease {
    public static let families: [Family<Lease>] = [
        // One sample per owner, or one with empty owner labels when there is none.
        Family("kube_lease_owner", "Information about the Lease's owner.",
               labels: ["owner_kind", "owner_name", "namespace", "lease_holder"]) { lease, out in
            let namespace = lease.metadata.namespace, holder = lease.holderIdentity ?? ""
            guard !lease.metadata.ownerReferences.isEmpty else { return out.add(["", "", namespace, holder], 1) }
            for owner in lease.metadata.ownerReferences { out.add([owner.kind, owner.name, namespace, holder], 1) }
        },
        Family("kube_lease_renew_time", "Kube lease renew time.", labels: ["namespace"]) { lease, out in
            if let seconds = KubeStateRules.setSeconds(lease.renewTime) { out.add(lease.metadata.namespace, seconds) }
        },
    ]
}
