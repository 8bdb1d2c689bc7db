import KubeWatch

/// kube-state-metrics' autoscaler families (internal/store/horizontalpodautoscaler.go),
/// in its output order. Every sample starts with `namespace, horizontalpodautoscaler`.
extension HorizontalPodAutoscaler {
    public static let families: [Family<HorizontalPodAutoscaler>] = [
        // The API version label is there only when the reference has one.
        Family("kube_horizontalpodautoscaler_info", "Information about this autoscaler.", dynamic: true) { hpa, out in
            let spec = hpa.spec
            if spec.targetAPIVersion.isEmpty {
                out.add(names: ["scaletargetref_kind", "scaletargetref_name"], values: [spec.targetKind, spec.targetName], 1)
            } else {
                out.add(names: ["scaletargetref_api_version", "scaletargetref_kind", "scaletargetref_name"],
                        values: [spec.targetAPIVersion, spec.targetKind, spec.targetName], 1)
            }
        },
        .generation("kube_horizontalpodautoscaler_metadata_generation", "The generation observed by the HorizontalPodAutoscaler controller."),
        .gauge("kube_horizontalpodautoscaler_spec_max_replicas", "Upper limit for the number of pods that can be set by the autoscaler; cannot be smaller than MinReplicas.", .stable) {
            Double($0.spec.maxReplicas)
        },
        .gauge("kube_horizontalpodautoscaler_spec_min_replicas", "Lower limit for the number of pods that can be set by the autoscaler, default 1.", .stable) {
            Double($0.spec.minReplicas ?? 1)
        },
        Family("kube_horizontalpodautoscaler_spec_target_metric", "The metric specifications used by this autoscaler when calculating the desired replica count.",
               labels: ["metric_name", "metric_target_type", "container"]) { hpa, out in
            targets(hpa.spec.metrics, into: &out)
        },
        .gauge("kube_horizontalpodautoscaler_spec_behavior_scale_down_tolerance", "The tolerance on the ratio between the current and desired metric value below which no scale down occurs.") {
            $0.spec.scaleDownTolerance.map(approximateValue)
        },
        .gauge("kube_horizontalpodautoscaler_spec_behavior_scale_up_tolerance", "The tolerance on the ratio between the current and desired metric value below which no scale up occurs.") {
            $0.spec.scaleUpTolerance.map(approximateValue)
        },
        Family("kube_horizontalpodautoscaler_status_target_metric", "The current metric status used by this autoscaler when calculating the desired replica count.", .stable,
               labels: ["metric_name", "metric_target_type", "container"]) { hpa, out in
            targets(hpa.status.currentMetrics, into: &out)
        },
        .gauge("kube_horizontalpodautoscaler_status_current_replicas", "Current number of replicas of pods managed by this autoscaler.", .stable) {
            Double($0.status.currentReplicas)
        },
        .gauge("kube_horizontalpodautoscaler_status_desired_replicas", "Desired number of replicas of pods managed by this autoscaler.", .stable) {
            Double($0.status.desiredReplicas)
        },
        .annotations("kube_horizontalpodautoscaler_annotations"),
        .labels("kube_horizontalpodautoscaler_labels"),
        Family("kube_horizontalpodautoscaler_status_condition", "The condition of this autoscaler.", .stable, labels: ["condition", "status"]) { hpa, out in
            for condition in hpa.status.conditions { KubeStateRules.condition(condition.status, after: [condition.type], into: &out) }
        },
        .created("kube_horizontalpodautoscaler_created", "Unix creation timestamp", .alpha),
        .deletionTimestamp("kube_horizontalpodautoscaler_deletion_timestamp"),
    ]

    /// One sample per value the target (or current status) sets. Entries whose source is
    /// missing are skipped: the status is not validated, and the spec's check is not ours.
    private static func targets(_ metrics: [Metric], into out: inout SampleWriter) {
        for metric in metrics {
            guard let (name, source) = metric.selected else { continue }
            if let value = source.value { out.add([name, "value", source.container], ResourceUnit.cores(value)) }
            if let average = source.averageValue { out.add([name, "average", source.container], ResourceUnit.cores(average)) }
            if let utilization = source.averageUtilization { out.add([name, "utilization", source.container], Double(utilization)) }
        }
    }

    /// `Quantity.AsApproximateFloat64`: the significand times `math.Pow10` of the exponent,
    /// after the parser's rounding up to nano units.
    static func approximateValue(_ quantity: Quantity) -> Double {
        var significand = quantity.significand
        var exponent = quantity.exponent
        if exponent < -9 {
            let shift = -9 - exponent
            guard shift <= 38 else { return quantity.significand == 0 ? 0 : quantity.significand > 0 ? 1e-9 : -1e-9 }
            let (quotient, remainder) = significand.quotientAndRemainder(dividingBy: power(shift))
            // Away from zero, as inf.RoundUp.
            significand = remainder == 0 ? quotient : quotient + (remainder > 0 ? 1 : -1)
            exponent = -9
        }
        let base = Double(significand)
        return exponent == 0 ? base : base * pow10(exponent)
    }

    private static func power(_ exponent: Int) -> Int128 {
        (0..<exponent).reduce(Int128(1)) { product, _ in product * 10 }
    }

    /// Go's `math.Pow10`: products (or quotients) of two correctly rounded table entries.
    private static func pow10(_ n: Int) -> Double {
        if n > 308 { return .infinity }
        if n < -323 { return 0 }
        let k = n.magnitude
        let coarse = Double("1e\(n < 0 ? "-" : "")\(k / 32 * 32)") ?? 0
        let fine = Double("1e\(k % 32)") ?? 1
        return n < 0 ? coarse / fine : coarse * fine
    }
}
