import KubeWatch

/// The rule the resourcequota and limitrange families share.
extension KubeStateRules {
    /// One sample per entry of a resource list, labelled with the resource name and
    /// then `values`, valued by `convertValueToFloat64` (thousandths as a fraction,
    /// whatever the resource).
    static func quantities(_ list: [ResourceQuantity], then values: [String], into out: inout SampleWriter) {
        for entry in list { out.add([entry.name] + values, ResourceUnit.cores(entry.quantity)) }
    }
}
