@testable import AgentConfig

/// libFuzzer entry: any bytes as `telegen.yaml`, then, after a NUL byte, `NAME=value`
/// lines as the environment (the `OTEL_*` variables fill what the file left unset).
/// Runs what `ConfigLoader.load` runs after reading the file: strict parsing, the
/// environment, and the combined checks. Diagnostics are the expected outcome for most
/// inputs.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAgentConfig(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let parts = bytes.split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false)
    var environment: [String: String] = [:]
    if parts.count == 2 {
        for line in String(decoding: parts[1], as: UTF8.self).split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            environment[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
    }
    guard case .success(let parsed) = ConfigLoader.parse(Array(parts[0]), file: "telegen.yaml") else { return 0 }
    var config = parsed.config
    _ = OTLPEnvironment(environment).apply(to: &config, explicitKeys: parsed.explicitKeys)
    _ = ConfigLoader.checkCombination(config, file: "telegen.yaml", marks: parsed.marks, environment: environment)
    return 0
}
