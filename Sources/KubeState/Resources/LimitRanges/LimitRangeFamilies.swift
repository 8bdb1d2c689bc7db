import KubeWatch

/// kube-state-metrics' limitrange families (internal/store/limitrange.go), in its
/// output order. Every sample starts with `namespace, limitrange`.
extension LimitRange {
    public static let families: [Family<LimitRange>] = [
        Family("kube_limitrange", "Information about limit range.", .stable, labels: ["resource", "type", "constraint"]) { range, out in
            for item in range.limits {
                KubeStateRules.quantities(item.min, then: [item.type, "min"], into: &out)
                KubeStateRules.quantities(item.max, then: [item.type, "max"], into: &out)
                KubeStateRules.quantities(item.defaultLimit, then: [item.type, "default"], into: &out)
                KubeStateRules.quantities(item.defaultRequest, then: [item.type, "defaultRequest"], into: &out)
                KubeStateRules.quantities(item.maxLimitRequestRatio, then: [item.type, "maxLimitRequestRatio"], into: &out)
            }
        },
        .created("kube_limitrange_created"),
    ]
}
