/// 64-bit FNV-1a over a text's UTF-8 bytes: the hash kube-state-metrics shards UIDs by,
/// and a cheap, stable (across runs and builds) hash of short text.
public enum FNV1a {
    public static let offsetBasis: UInt64 = 14_695_981_039_346_656_037

    /// `basis` other than the standard one gives an independent second hash.
    public static func hash(_ text: String, basis: UInt64 = offsetBasis) -> UInt64 {
        var hash = basis
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 1_099_511_628_211
        }
        return hash
    }
}
