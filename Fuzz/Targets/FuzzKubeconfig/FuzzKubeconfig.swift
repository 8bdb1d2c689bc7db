@testable import KubeWatch

/// libFuzzer entry: any bytes as a kubeconfig. A NUL byte splits the input into two
/// files of a `KUBECONFIG` list, so merging is exercised too. Parsing and selecting the
/// current context's cluster and user is the loader minus reading the files; an
/// `Invalid` error is the expected outcome for most inputs.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKubeconfig(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let files = bytes.split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false)
    var documents: [(path: String, root: [String: Any])] = []
    for (index, file) in files.enumerated() {
        let path = index == 0 ? "/fuzz/config" : "relative/second"
        guard let root = try? Kubeconfig.parse(String(decoding: file, as: UTF8.self), path: path) else { return 0 }
        documents.append((path, root))
    }
    _ = try? Kubeconfig.select(from: documents)
    return 0
}
