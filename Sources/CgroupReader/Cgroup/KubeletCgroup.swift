#if canImport(Glibc)
import Glibc
#endif

/// What a cgroup in the kubelet's tree is, read from its path. The kubelet names them
/// (cgroupfs driver / systemd driver):
///
///     kubepods                     kubepods.slice
///     kubepods/burstable           kubepods.slice/kubepods-burstable.slice
///     …/pod<uid>                   …/kubepods-burstable-pod<uid_with_underscores>.slice
///     …/pod<uid>/<64 hex>          …/cri-containerd-<64 hex>.scope, crio-<64 hex>.scope, docker-<64 hex>.scope
///
/// Guaranteed pods sit directly under `kubepods`. Static pods have a 32-hex UID.
public enum KubeletCgroup: Sendable, Equatable {
    /// The hierarchy's root: the whole node.
    case root
    case kubepods
    case qos(String)
    case pod(uid: String)
    case container(id: String, podUID: String)

    /// Classifies the last component of a path, given what its parent is.
    static func classify(_ name: String, parent: KubeletCgroup) -> KubeletCgroup? {
        switch parent {
        case .root:
            return name == "kubepods" || name == "kubepods.slice" ? .kubepods : nil
        case .kubepods, .qos:
            if case .kubepods = parent, ["burstable", "besteffort", "kubepods-burstable.slice", "kubepods-besteffort.slice"].contains(name) {
                return .qos(name.contains("burstable") ? "burstable" : "besteffort")
            }
            return podUID(in: name).map { .pod(uid: $0) }
        case .pod(let uid):
            return containerID(in: name).map { .container(id: $0, podUID: uid) }
        case .container:
            return nil
        }
    }

    /// `pod<uid>` (cgroupfs) or `kubepods[-qos]-pod<uid_>.slice` (systemd), UID with dashes.
    /// On the name's bytes: every cgroup of the node is classified every cycle, and
    /// String and UTF8View operations (index arithmetic, generic searches) cost more
    /// than the reads.
    static func podUID(in name: String) -> String? {
        var name = name
        return name.withUTF8 { bytes -> String? in
            var start = 0, end = bytes.count
            if hasSuffix(bytes, ".slice") {
                end -= 6
                guard let marker = endOfFirst("-pod", in: bytes, before: end) else { return nil }
                start = marker
            } else {
                guard matches(bytes, "pod", at: 0) else { return nil }
                start = 3
            }
            let uid = UnsafeBufferPointer(rebasing: bytes[start..<end])
            guard isPodUID(uid) else { return nil }
            return String(unsafeUninitializedCapacity: uid.count) { out in
                for index in 0..<uid.count { out[index] = uid[index] == UInt8(ascii: "_") ? UInt8(ascii: "-") : uid[index] }
                return uid.count
            }
        }
    }

    /// The 64-hex container ID of a runtime's cgroup, nil for anything else (CRI-O's
    /// `crio-conmon-*` monitor, systemd `.mount` units, nested helpers).
    static func containerID(in name: String) -> String? {
        var name = name
        return name.withUTF8 { bytes -> String? in
            var start = 0, end = bytes.count
            if hasSuffix(bytes, ".scope") { end -= 6 }
            for prefix in runtimePrefixes where matches(bytes, prefix, at: 0, before: end) {
                start = prefix.utf8CodeUnitCount
                break
            }
            guard end - start == 64 else { return nil }
            for index in start..<end where !bytes[index].isLowercaseHex { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        }
    }

    private static let runtimePrefixes: [StaticString] = ["cri-containerd-", "crio-", "docker-"]

    /// 8-4-4-4-12 hex with dashes (underscores in systemd unit names), or 32 hex (static pods).
    private static func isPodUID(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if bytes.count == 32 { return bytes.allSatisfy(\.isLowercaseHex) }
        guard bytes.count == 36 else { return false }
        for index in 0..<36 {
            let byte = bytes[index]
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") else { return false }
            } else if !byte.isLowercaseHex {
                return false
            }
        }
        return true
    }

    /// Whether `pattern` sits at `offset` and ends by `limit` (the end of `bytes` by default).
    private static func matches(_ bytes: UnsafeBufferPointer<UInt8>, _ pattern: StaticString, at offset: Int, before limit: Int? = nil) -> Bool {
        let count = pattern.utf8CodeUnitCount
        guard offset >= 0, offset + count <= (limit ?? bytes.count), let base = bytes.baseAddress else { return count == 0 }
        return memcmp(base + offset, pattern.utf8Start, count) == 0
    }

    private static func hasSuffix(_ bytes: UnsafeBufferPointer<UInt8>, _ suffix: StaticString) -> Bool {
        matches(bytes, suffix, at: bytes.count - suffix.utf8CodeUnitCount)
    }

    /// Where the first occurrence of `marker` that ends by `limit` ends.
    private static func endOfFirst(_ marker: StaticString, in bytes: UnsafeBufferPointer<UInt8>, before limit: Int) -> Int? {
        let count = marker.utf8CodeUnitCount
        var start = 0
        while start + count <= limit {
            if matches(bytes, marker, at: start, before: limit) { return start + count }
            start += 1
        }
        return nil
    }
}

extension UInt8 {
    var isLowercaseHex: Bool {
        (self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9")) || (self >= UInt8(ascii: "a") && self <= UInt8(ascii: "f"))
    }
}
