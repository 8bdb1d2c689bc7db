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
    static func podUID(in name: String) -> String? {
        var rest = Substring(name)
        if rest.hasSuffix(".slice") {
            rest = rest.dropLast(6)
            guard let marker = rest.firstRange(of: "-pod") else { return nil }
            rest = rest[marker.upperBound...]
        } else {
            guard rest.hasPrefix("pod") else { return nil }
            rest = rest.dropFirst(3)
        }
        let uid = rest.replacingUnderscores()
        return isPodUID(uid) ? uid : nil
    }

    /// The 64-hex container ID of a runtime's cgroup, nil for anything else (CRI-O's
    /// `crio-conmon-*` monitor, systemd `.mount` units, nested helpers).
    static func containerID(in name: String) -> String? {
        var rest = Substring(name)
        if rest.hasSuffix(".scope") { rest = rest.dropLast(6) }
        for prefix in ["cri-containerd-", "crio-", "docker-"] where rest.hasPrefix(prefix) {
            rest = rest.dropFirst(prefix.count)
            break
        }
        guard rest.utf8.count == 64, rest.utf8.allSatisfy(\.isLowercaseHex) else { return nil }
        return String(rest)
    }

    /// 8-4-4-4-12 hex with dashes, or 32 hex (static pods).
    private static func isPodUID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        if bytes.count == 32 { return bytes.allSatisfy(\.isLowercaseHex) }
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == UInt8(ascii: "-") else { return false }
            } else if !byte.isLowercaseHex {
                return false
            }
        }
        return true
    }
}

extension Substring {
    fileprivate func replacingUnderscores() -> String {
        String(map { $0 == "_" ? "-" : $0 })
    }
}

extension UInt8 {
    var isLowercaseHex: Bool {
        (self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9")) || (self >= UInt8(ascii: "a") && self <= UInt8(ascii: "f"))
    }
}
