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
        return name.withUTF8 { utf8 -> String? in
            var uid = utf8[...]
            if uid.hasSuffix(".slice") {
                uid = uid.dropLast(6)
                guard let marker = uid.endOfFirst("-pod") else { return nil }
                uid = uid[marker...]
            } else {
                guard uid.hasPrefix("pod") else { return nil }
                uid = uid.dropFirst(3)
            }
            guard isPodUID(uid) else { return nil }
            return String(decoding: uid.lazy.map { $0 == UInt8(ascii: "_") ? UInt8(ascii: "-") : $0 }, as: UTF8.self)
        }
    }

    /// The 64-hex container ID of a runtime's cgroup, nil for anything else (CRI-O's
    /// `crio-conmon-*` monitor, systemd `.mount` units, nested helpers).
    static func containerID(in name: String) -> String? {
        var name = name
        return name.withUTF8 { utf8 -> String? in
            var id = utf8[...]
            if id.hasSuffix(".scope") { id = id.dropLast(6) }
            for prefix in runtimePrefixes where id.hasPrefix(prefix) {
                id = id.dropFirst(prefix.utf8CodeUnitCount)
                break
            }
            guard id.count == 64, id.allSatisfy(\.isLowercaseHex) else { return nil }
            return String(decoding: id, as: UTF8.self)
        }
    }

    private static let runtimePrefixes: [StaticString] = ["cri-containerd-", "crio-", "docker-"]

    /// 8-4-4-4-12 hex with dashes (underscores in systemd unit names), or 32 hex (static pods).
    private static func isPodUID(_ bytes: Bytes) -> Bool {
        if bytes.count == 32 { return bytes.allSatisfy(\.isLowercaseHex) }
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") else { return false }
            } else if !byte.isLowercaseHex {
                return false
            }
        }
        return true
    }
}

extension UInt8 {
    var isLowercaseHex: Bool {
        (self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9")) || (self >= UInt8(ascii: "a") && self <= UInt8(ascii: "f"))
    }
}
