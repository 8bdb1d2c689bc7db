import Foundation
import KubeState
import KubeWatch

/// `shard` / `total_shards` resolved against the pod's environment, as
/// kube-state-metrics' auto-sharding resolves `--pod` / `--pod-namespace`: `shard:
/// auto` is the ordinal at the end of `POD_NAME` (a StatefulSet's pods are named
/// `<statefulset>-<ordinal>`), and `total_shards: auto` follows that StatefulSet, in
/// `POD_NAMESPACE` (else the service account's namespace).
enum ShardAssignment {
    struct Problem: Error, Equatable, CustomStringConvertible {
        /// The configuration key at fault.
        var key: String
        var message: String
        var description: String { "\(key): \(message)" }
    }

    /// Nil when this replica serves every object.
    static func resolve(_ config: KubeStateConfig, environment: [String: String],
                        namespaceFile: String = ClusterAccess.serviceAccountDirectory + "/namespace") throws(Problem) -> ShardConfiguration? {
        guard config.isSharded else { return nil }
        let prefix = "kube_metrics.kube_state."
        var ordinal = 0
        var statefulSet = ""
        switch config.shard {
        case .number(let number):
            ordinal = number
        case .auto:
            let pod = environment["POD_NAME"] ?? ""
            guard let parsed = parse(podName: pod) else {
                throw Problem(key: prefix + "shard", message: pod.isEmpty
                    ? "auto needs POD_NAME (the pod's name, from the downward API)"
                    : "auto needs POD_NAME to be a StatefulSet pod's name, <statefulset>-<ordinal>; got \"\(pod)\"")
            }
            (statefulSet, ordinal) = parsed
        }
        switch config.totalShards {
        case .number(let total):
            guard ordinal < total else {
                throw Problem(key: prefix + "shard", message: "ordinal \(ordinal) (from POD_NAME) must be less than total_shards (\(total))")
            }
            return ShardConfiguration(shard: ordinal, total: .fixed(total))
        case .auto:
            let namespace = environment["POD_NAMESPACE"].flatMap { $0.isEmpty ? nil : $0 }
                ?? (try? String(contentsOfFile: namespaceFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let namespace, !namespace.isEmpty else {
                throw Problem(key: prefix + "total_shards", message: "auto needs POD_NAMESPACE (the pod's namespace, from the downward API)")
            }
            return ShardConfiguration(shard: ordinal, total: .statefulSet(namespace: namespace, name: statefulSet))
        }
    }

    /// `web-12` → ("web", 12); nil unless the name ends in `-<ordinal>` after a non-empty prefix.
    static func parse(podName: String) -> (statefulSet: String, ordinal: Int)? {
        guard let dash = podName.lastIndex(of: "-"), dash > podName.startIndex else { return nil }
        let digits = podName[podName.index(after: dash)...]
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
              let ordinal = Int32(digits) else { return nil }
        return (String(podName[..<dash]), Int(ordinal))
    }
}
