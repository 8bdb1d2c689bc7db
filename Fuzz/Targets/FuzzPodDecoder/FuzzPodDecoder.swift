@testable import KubeState
import KubeWatch

/// Every label and annotation kept and every opt-in family on: the widest decode and
/// render a configuration can ask for.
let layout = ResourceLayout<Pod>(options: ResourceOptions(
    labelsAllowlist: ["*"], annotationsAllowlist: ["*"], optIn: Pod.families.filter(\.optIn).map(\.name)))

/// libFuzzer entry: any bytes as a Pod from the API, decoded and, when that succeeds,
/// rendered into kube-state-metrics samples (quantities, times and counts are
/// arithmetic on input). A decoding error is the expected outcome for most inputs.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPodDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let pod = try? Pod(json: bytes, context: layout.decoding) else { return 0 }
    var writer = layout.makeWriter()
    layout.render(pod, into: &writer)
    _ = pod.staticPodUID
    return 0
}
